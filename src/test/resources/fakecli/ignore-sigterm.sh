#!/usr/bin/env bash
# A CLI that will not stop politely: it ignores SIGTERM (and so does the child it starts, which inherits the
# ignored disposition), and closing its stdin does not end it either.
trap '' TERM
sleep 300 &
echo "{\"type\":\"fake\",\"child\":$!}"
cat > /dev/null
wait
