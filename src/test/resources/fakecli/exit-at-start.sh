#!/usr/bin/env bash
# A CLI that dies at once with a message, like the real one does for a bad flag.
echo "Error: something is badly wrong" >&2
exit 3
