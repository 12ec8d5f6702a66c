#!/bin/sh
# Installed as /usr/local/bin/treem (docs/operations.md, "Install"): runs a treem management
# command on the server as the treem user, with the environment of the services.
#
#   treem migrate            # as root or as treem; same as the services would run it
#
# Variables come from /etc/treem/treem.env, the file the systemd units read. A variable already
# set in the calling environment wins over the file: the restore drill points TREEM_DATABASE_URL
# and TREEM_DATA_DIR at a scratch database and folder that way. The file must hold plain
# NAME=value lines (no quotes, no spaces around "=", no "$"), which both this script and systemd
# read the same way.
set -eu

TREEM_USER=treem
ENV_FILE=/etc/treem/treem.env
VENV=/opt/treem/.venv

if [ "$(id -un)" != "$TREEM_USER" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "treem: run this as root or as the $TREEM_USER user" >&2
        exit 1
    fi
    # runuser keeps the caller's environment (so the overrides above still apply).
    exec runuser -u "$TREEM_USER" -- "$0" "$@"
fi
# Started from a folder the treem user may not enter (root's home): work from / instead, or
# commands that look at the current folder (runserver's reloader) fail. Give files as full paths.
cd "$PWD" 2>/dev/null || cd /

line_number=0
while IFS= read -r line || [ -n "$line" ]; do
    line_number=$((line_number + 1))
    case $line in
        '' | '#'*) continue ;;
    esac
    name=${line%%=*}
    case $name in
        "$line" | '' | [0-9]* | *[!A-Za-z0-9_]*)
            # The line is not shown: it may hold a secret.
            echo "treem: $ENV_FILE line $line_number is not NAME=value" >&2
            exit 1
            ;;
    esac
    if eval "[ -z \"\${$name+set}\" ]"; then
        export "$line"
    fi
done <"$ENV_FILE"

exec "$VENV/bin/treem" "$@"
