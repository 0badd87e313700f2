#!/usr/bin/env python3
"""Load-benchmark CLI (StreamingBench, N = 50): streams a long paced answer in stream-json, as the real CLI would.

Never the oracle of a protocol test. Speaks what the bot's decoder reads (shapes from the reference transcript
01_plain_text_partial.jsonl): per user message a system/init line, stream_event lines (message_start,
content_block_start, one content_block_delta/text_delta per token, content_block_stop, message_delta,
message_stop), an assistant line and a result line. Control requests: initialize and interrupt are answered with a
control_response success (an interrupt also ends the running answer early); others are ignored.

The answer is read from the prompt: "prefix=s07 tokens=400 rate=40" gives "s07w0001 s07w0002 ... s07w0400" at 40
tokens per second (defaults: prefix w, 400 tokens, 40/s). Token i is written at start + i/rate (a fixed schedule,
no drift). "noise=1" in the prompt first writes a line that is not JSON and an oversized one (FailuresTest).
When BENCH_SENT_DIR is set, each token's send time is appended to BENCH_SENT_DIR/sent-<pid>.log as
"<token> <epoch microseconds>", taken right after the line was flushed to stdout (the system clock).
"""
import json
import os
import queue
import re
import sys
import threading
import time
import uuid

if sys.argv[1:] == ["--version"]:
    # The bot asks once at start-up; this script speaks the pinned version's protocol (see the docstring).
    print("2.1.332 (Claude Code)")
    sys.exit(0)

OUT_LOCK = threading.Lock()
SESSION_ID = str(uuid.uuid4())
INTERRUPT = threading.Event()
TURNS = queue.Queue()
SENT_DIR = os.environ.get("BENCH_SENT_DIR")
SENT = open(os.path.join(SENT_DIR, "sent-%d.log" % os.getpid()), "a", encoding="utf-8") if SENT_DIR else None


def emit(obj):
    line = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    with OUT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def stream_event(event):
    emit({"type": "stream_event", "event": event, "session_id": SESSION_ID, "parent_tool_use_id": None,
          "uuid": str(uuid.uuid4())})


def prompt_text(message):
    content = message.get("message", {}).get("content", "")
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")


def spec(prompt):
    def find(name, default, cast):
        m = re.search(r"\b" + name + r"=(\S+)", prompt)
        return cast(m.group(1)) if m else default
    return find("prefix", "w", str), find("tokens", 400, int), find("rate", 40.0, float)


def turn(message, number):
    started = time.monotonic()
    prefix, count, rate = spec(prompt_text(message))
    words = ["%sw%04d" % (prefix, i) for i in range(1, count + 1)]
    message_id = "msg_fake_%d" % number
    model = "claude-fake-bench"
    emit({"type": "system", "subtype": "init", "cwd": os.getcwd(), "session_id": SESSION_ID, "tools": [],
          "mcp_servers": [], "model": model, "permissionMode": "default", "slash_commands": [],
          "apiKeySource": "none", "claude_code_version": "fake-bench", "output_style": "default", "agents": [],
          "skills": [], "plugins": [], "uuid": str(uuid.uuid4())})
    usage = {"input_tokens": 100, "output_tokens": 1, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0}
    stream_event({"type": "message_start", "message": {"id": message_id, "type": "message", "role": "assistant",
                                                       "model": model, "content": [], "stop_reason": None,
                                                       "stop_sequence": None, "usage": usage}})
    stream_event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    if re.search(r"\bnoise=1\b", prompt_text(message)):
        # What the real CLI never writes (no transcript has it), for the bot's notices: a line that is not JSON
        # and a stream_event line of 20 000 bytes, over a small MAX_LINE_BYTES.
        with OUT_LOCK:
            sys.stdout.write("[fake-cli] this line is not stream-json\n")
            sys.stdout.flush()
        stream_event({"type": "ping", "padding": "x" * 20000})
    t0 = time.monotonic()
    sent = []
    for i, word in enumerate(words):
        if INTERRUPT.is_set():
            break
        token = word + (" " if i < len(words) - 1 else "")
        delay = t0 + (i + 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        stream_event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}})
        if SENT is not None:
            SENT.write("%s %d\n" % (word, time.time_ns() // 1000))
        sent.append(token)
    if SENT is not None:
        SENT.flush()
    text = "".join(sent)
    interrupted = INTERRUPT.is_set()
    emit({"type": "assistant", "message": {"id": message_id, "type": "message", "role": "assistant", "model": model,
                                           "content": [{"type": "text", "text": text}], "stop_reason": None,
                                           "stop_sequence": None, "usage": usage},
          "parent_tool_use_id": None, "session_id": SESSION_ID, "uuid": str(uuid.uuid4())})
    stream_event({"type": "content_block_stop", "index": 0})
    stream_event({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                  "usage": {"output_tokens": len(sent)}})
    stream_event({"type": "message_stop"})
    cost = round(0.0001 * len(sent), 6)
    emit({"type": "result", "subtype": "success", "is_error": False, "api_error_status": None,
          "duration_ms": int((time.monotonic() - started) * 1000), "duration_api_ms": int((time.monotonic() - t0) * 1000),
          "num_turns": 1, "result": text, "stop_reason": "end_turn", "session_id": SESSION_ID,
          "total_cost_usd": cost * number,
          "usage": {"input_tokens": 100, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                    "output_tokens": len(sent)},
          "modelUsage": {model: {"inputTokens": 100 * number, "outputTokens": len(sent) * number,
                                 "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0, "webSearchRequests": 0,
                                 "costUSD": cost * number, "contextWindow": 200000, "maxOutputTokens": 64000}},
          "permission_denials": [], "terminal_reason": "aborted_streaming" if interrupted else "completed",
          "uuid": str(uuid.uuid4())})


def worker():
    number = 0
    while True:
        message = TURNS.get()
        if message is None:
            return
        number += 1
        INTERRUPT.clear()
        turn(message, number)


def main():
    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    for raw in sys.stdin:
        raw = raw.strip()
        if not raw:
            continue
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        kind = message.get("type")
        if kind == "user":
            TURNS.put(message)
        elif kind == "control_request":
            subtype = message.get("request", {}).get("subtype")
            if subtype in ("initialize", "interrupt"):
                if subtype == "interrupt":
                    INTERRUPT.set()
                body = {"commands": [], "models": [], "account": {}} if subtype == "initialize" else {}
                emit({"type": "control_response", "response": {"subtype": "success",
                                                               "request_id": message.get("request_id"),
                                                               "response": body}})
    TURNS.put(None)  # stdin closed: finish the running answer, then exit
    thread.join()


if __name__ == "__main__":
    main()
