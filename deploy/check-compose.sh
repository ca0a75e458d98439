#!/usr/bin/env bash
# Validates docker-compose.yml as `docker compose` would load it (compose-go, the
# Compose specification's loader, from the Go module proxy), and checks that every
# file it builds from or mounts exists. No Docker engine is needed.
set -euo pipefail
cd "$(dirname "$0")/compose-check"
go run . ../../docker-compose.yml
