#!/usr/bin/env node
// A stand-in CLI for MaxLinesMemoryIT: writes FLOOD_LINES assistant lines of FLOOD_BYTES bytes each, as fast as the
// pipe takes them, then waits for stdin to close. Its arguments (the real CLI's flags) are ignored.
const bytes = Number(process.env.FLOOD_BYTES);
const lines = Number(process.env.FLOOD_LINES);
const shell = (text) => JSON.stringify({type: 'assistant', message: {id: 'msg_flood', type: 'message',
  role: 'assistant', model: 'claude-opus-5-5', content: [{type: 'text', text}], stop_reason: null,
  usage: {input_tokens: 1, output_tokens: 1}}, parent_tool_use_id: null, session_id: 'flood', uuid: 'u'}) + '\n';
const line = shell('x'.repeat(bytes - Buffer.byteLength(shell('')) - 1));
let written = 0;
function write() {
  while (written < lines) {
    written++;
    if (!process.stdout.write(line)) {
      process.stdout.once('drain', write);
      return;
    }
  }
}
write();
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
