"""How the rows get written: chunked execution, bulk-write session settings, deferred index rebuild, and
the set-based check of the references written while the foreign-key triggers were off."""

import contextlib

import numpy as np

from odoo.tools import SQL

from .phases import _phase

CHUNK = 200_000  # rows per statement: bounds the Python strings and the server's per-statement memory
BULK_WORK_MEM = "256MB"  # per sort/hash node, during the writes only (SET LOCAL)


def _ints(values):
    """A Postgres array literal of integers, built at C speed (numpy formatting, one join)."""
    return "{" + ",".join(np.asarray(values).astype(np.int64).astype(str).tolist()) + "}"


def _execute_chunks(cr, query, arrays, constants, size=CHUNK):
    """Run `query` once per chunk; arrays are sliced and passed as integer array literals."""
    n = len(next(iter(arrays.values())))
    for lo in range(0, n, size):
        params = dict(constants)
        for name, values in arrays.items():
            chunk = values[lo : lo + size]
            params[name] = chunk if isinstance(chunk, list) else _ints(chunk)
        cr.execute(query, params, log_exceptions=False)


@contextlib.contextmanager
def _bulk_writes(cr):
    """Session settings for the writes, restored afterwards.

    - work_mem: the chunk CTEs are materialised; keep them in memory rather than in temporary files.
    - session_replication_role = replica, when the role may (superuser): Postgres checks foreign keys with
      one trigger call per row and constraint (~5 us each, ~80% of the write time here); in replica mode
      those triggers do not fire and _check_references validates the written references set-based instead.
    Yields whether the foreign-key triggers were skipped.
    """
    cr.execute("SELECT current_setting('work_mem'), rolsuper FROM pg_roles WHERE rolname = current_user")
    work_mem, superuser = cr.fetchone()
    cr.execute("SELECT set_config('work_mem', %s, true)", (BULK_WORK_MEM,))
    if superuser:
        cr.execute("SET LOCAL session_replication_role = replica")
    try:
        yield bool(superuser)
    finally:
        with contextlib.suppress(Exception):  # in an aborted transaction the rollback resets them anyway
            cr.execute("SELECT set_config('work_mem', %s, true)", (work_mem,))
            if superuser:
                cr.execute("SET LOCAL session_replication_role = origin")


INDEXED_TABLES = ("account_move", "account_move_line", "account_payment", "account_partial_reconcile")
REBUILD_MIN_MOVES = 100_000
REBUILD_WORK_MEM = "512MB"


def _worth_rebuilding(cr, new_moves):
    """Maintaining ~60 indexes row by row costs about twice a sorted rebuild, which also rereads the rows
    already there: rebuild when the new rows are many and outnumber the existing ones."""
    cr.execute("SELECT count(*) FROM account_move")
    return new_moves >= REBUILD_MIN_MOVES and new_moves >= cr.fetchone()[0]


@contextlib.contextmanager
def _deferred_indexes(cr, enabled):
    """Drop the secondary indexes of INDEXED_TABLES for the duration of the block, then recreate them.

    Everything happens in the caller's transaction (DDL is transactional in Postgres): on any error the
    indexes come back with the rollback. The tables stay locked (ACCESS EXCLUSIVE) until the commit.
    Primary keys, constraint-backed and partial indexes are kept (most partial ones cover columns left empty
    here, and a rebuilt predicate may deparse differently from the ORM's original).
    """
    if not enabled:
        yield
        return
    cr.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND i.indpred IS NULL
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname
    """,
        (list(INDEXED_TABLES),),
    )
    indexes = cr.fetchall()
    with _phase(f"drop {len(indexes)} indexes"):
        for name, _definition in indexes:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    with _phase(f"rebuild {len(indexes)} indexes"):
        cr.execute("SELECT current_setting('maintenance_work_mem')")
        maintenance_work_mem = cr.fetchone()[0]
        cr.execute("SELECT set_config('maintenance_work_mem', %s, true)", (REBUILD_WORK_MEM,))
        for _name, definition in indexes:
            # The statement is the server's own definition of the index (pg_get_indexdef), replayed as is.
            cr.execute(definition)
        cr.execute("SELECT set_config('maintenance_work_mem', %s, true)", (maintenance_work_mem,))


# The foreign keys whose values the plan generates: (table, column, referenced table).
GENERATED_REFERENCES = (
    ("res_partner", "commercial_partner_id", "res_partner"),
    ("account_move", "partner_id", "res_partner"),
    ("account_move", "commercial_partner_id", "res_partner"),
    ("account_move", "partner_shipping_id", "res_partner"),
    ("account_move", "origin_payment_id", "account_payment"),
    ("account_move_line", "move_id", "account_move"),
    ("account_move_line", "partner_id", "res_partner"),
    ("account_move_line", "payment_id", "account_payment"),
    ("account_move_line", "full_reconcile_id", "account_full_reconcile"),
    ("account_payment", "move_id", "account_move"),
    ("account_payment", "partner_id", "res_partner"),
    ("account_move__account_payment", "invoice_id", "account_move"),
    ("account_move__account_payment", "payment_id", "account_payment"),
    ("account_partial_reconcile", "debit_move_id", "account_move_line"),
    ("account_partial_reconcile", "credit_move_id", "account_move_line"),
    ("account_partial_reconcile", "full_reconcile_id", "account_full_reconcile"),
)


def _check_references(cr, blocks):
    """Validate the references written while the foreign-key triggers were off.

    Every generated id was taken from a block reserved for this run (_reserve_ids) and each block is written
    whole, so a reference is valid iff its block is complete and the value lies inside it: one count per
    block and one min/max scan per table instead of millions of index probes. The other foreign keys hold
    ids of existing records read through the ORM (journals, accounts, users...).

    :param blocks: {table: (id column, first, last, expected row count)}
    """
    for table, (column, low, high, expected) in blocks.items():
        cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE %s BETWEEN %s AND %s",
                SQL.identifier(table),
                SQL.identifier(column),
                low,
                high,
            )
        )
        count = cr.fetchone()[0]
        if count != expected:
            raise AssertionError(f"seed: {table} holds {count} rows in {low}..{high}, {expected} expected")
    by_table = {}
    for table, column, target in GENERATED_REFERENCES:
        by_table.setdefault(table, []).append((column, target))
    for table, references in by_table.items():
        column, low, high, _expected = blocks[table]
        cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE %s BETWEEN %s AND %s",
                SQL(", ").join(
                    SQL("min(%s), max(%s)", SQL.identifier(c), SQL.identifier(c)) for c, _target in references
                ),
                SQL.identifier(table),
                SQL.identifier(column),
                low,
                high,
            )
        )
        bounds = cr.fetchone()
        for i, (ref_column, target) in enumerate(references):
            smallest, largest = bounds[2 * i], bounds[2 * i + 1]
            _column, target_low, target_high, _count = blocks[target]
            if smallest is not None and not (target_low <= smallest and largest <= target_high):
                raise AssertionError(
                    f"seed: {table}.{ref_column} spans {smallest}..{largest}, outside the "
                    f"{target} ids written ({target_low}..{target_high})"
                )


TOUCHED_TABLES = (
    "res_partner",
    "res_currency_rate",
    "account_full_reconcile",
    "account_move",
    "account_move_line",
    "account_payment",
    "account_move__account_payment",
    "account_partial_reconcile",
)
