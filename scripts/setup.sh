#!/usr/bin/env bash
# make setup: venv, PostgreSQL, config and the cached template database.
source "$(dirname "$0")/lib.sh"
setup_all
say "ready: venv $VENV, template database $TEMPLATE"
