#!/usr/bin/env bash
# Makes kind-counts-VERSION.tsv: for every stdout transcript of a CLI version, how many lines of each event kind it
# has. This is the oracle of TranscriptDecodeTest, so it classifies lines with jq alone, never with our decoder.
# Usage: bash make-kind-counts.sh                      # every cli-VERSION/ beside this script -> kind-counts-VERSION.tsv
#        bash make-kind-counts.sh cli-2.1.332 > x.tsv  # one directory to stdout
set -euo pipefail
if [ $# -eq 0 ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  for d in "$here"/cli-*/; do
    d=${d%/}
    version=${d##*/cli-}
    bash "$0" "$d" > "$here/kind-counts-$version.tsv"
    echo "wrote kind-counts-$version.tsv ($(wc -l < "$here/kind-counts-$version.tsv") rows)" >&2
  done
  exit 0
fi
dir=$1
classify='
  def kind:
    if type != "object" then "NotJson"
    elif .type == "system" then
      (if .subtype == "init" then "SystemInit" elif .subtype == "status" then "SystemStatus"
       elif .subtype == "api_retry" then "ApiRetry" elif .subtype == "compact_boundary" then "CompactBoundary"
       else "SystemOther" end)
    elif .type == "stream_event" then
      (.event.type as $t |
       if $t == "message_start" then "MessageStart" elif $t == "content_block_start" then "BlockStart"
       elif $t == "content_block_delta" then
         (if .event.delta.type == "text_delta" then "TextDelta" elif .event.delta.type == "thinking_delta" then "ThinkingDelta"
          elif .event.delta.type == "input_json_delta" then "ToolInputDelta" else "StreamOther" end)
       elif $t == "content_block_stop" then "BlockStop" elif $t == "message_delta" then "MessageDelta"
       elif $t == "message_stop" then "MessageStop" else "StreamOther" end)
    elif .type == "assistant" then "Assistant"
    elif .type == "user" then
      (.message.content as $c |
       if ($c | type) == "array" and ([$c[] | select(.type == "tool_result")] | length) > 0 then "ToolResults"
       elif ($c | type) == "array" and ($c | length) == 1 and $c[0].type == "text"
            and ($c[0].text == "[Request interrupted by user]" or $c[0].text == "[Request interrupted by user for tool use]")
         then "Interrupted"
       else "UserOther" end)
    elif .type == "result" then "Result"
    elif .type == "control_request" then (if .request.subtype == "can_use_tool" then "CanUseTool" else "ControlRequest" end)
    elif .type == "control_cancel_request" then "ControlCancel"
    elif .type == "control_response" then "ControlResponse"
    elif .type == "conversation_reset" then "ConversationReset"
    else "Unknown" end;
  kind'
for f in "$dir"/*.jsonl; do
  name=$(basename "$f")
  case "$name" in *.annotated.jsonl|*.requests.jsonl) continue ;; esac
  jq -R -r "(fromjson? // \"\u0000NOTJSON\") | if . == \"\u0000NOTJSON\" then \"NotJson\" else ($classify) end" "$f" \
    | sort | uniq -c | awk -v n="$name" '{print n "\t" $2 "\t" $1}'
done
