// tmux-assistant-resurrect: OpenCode 1.x tracker plugin (plugin API v1, runs in-process).
// Keeps <state-dir>/opencode-<pid>.json naming the session this OpenCode process shows, so a
// tmux-resurrect save can tell which pane holds which session. Never prints.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const stateDir =
  process.env.ASSISTANT_RESURRECT_STATE_DIR ||
  path.join(os.homedir(), ".local", "state", "tmux-assistant-resurrect");
const stateFile = path.join(stateDir, `opencode-${process.pid}.json`);
const subagentSessions = new Set();
const seenMessages = new Set();

function record(sessionID, directory, eventType) {
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${stateFile}.${process.pid}.${Date.now()}.tmp`;
    const body = { tool: "opencode", pid: process.pid, session_id: sessionID, cwd: directory,
      event: eventType, written_at: Date.now() / 1000 };
    fs.writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
    fs.renameSync(tmp, stateFile);
  } catch {
    // the tracker must never disturb OpenCode
  }
}

// The session the pane shows is the one the person acts in: a new top-level session, or the
// session of a message they have just sent (its first event). Status, retry and title events,
// and later updates of a message, also come from sessions busy in the background: ignored.
function sessionOf(event) {
  const props = event?.properties ?? {};
  const info = props.info ?? {};
  if (event.type === "session.created") {
    if (info.parentID) subagentSessions.add(info.id);
    return info.parentID ? null : info.id;
  }
  if (event.type === "message.updated" && info.role === "user" && !seenMessages.has(info.id)) {
    seenMessages.add(info.id);
    return info.sessionID;
  }
  return null;
}

export const AssistantResurrectTracker = async ({ directory }) => {
  process.once("exit", () => {
    try {
      fs.unlinkSync(stateFile);
    } catch {}
  });
  return {
    event: async ({ event }) => {
      const id = event?.type ? sessionOf(event) : null;
      if (typeof id === "string" && id.startsWith("ses") && !subagentSessions.has(id)) {
        record(id, directory, event.type);
      }
    },
  };
};
