/**
 * Live replies without I/O (docs/architecture.md §3.6): {@link dev.claudebridge.core.transcript.Transcript} folds
 * {@link dev.claudebridge.core.port.AgentEvent}s into an immutable value, and
 * {@link dev.claudebridge.core.transcript.Renderer} turns it into chat pages under a platform's length limit, with
 * code fences closed and reopened across pages. Everything here is pure and thread-safe; no Reactor, no platform.
 */
package dev.claudebridge.core.transcript;
