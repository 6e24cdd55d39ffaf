"""The inbox's keyboard, in the browser: j/k move through the list, r goes to the reply box, e
resolves, ? shows the help, Enter sends (Shift+Enter is a new line), the open thread follows new
messages while it is read at its bottom, and the "/" picker of canned
replies. The picker runs entirely in the page, so filtering as you type never waits for the
server: a composer holding "/" and one word lists the canned replies whose code or text contains
that word (Thai too); ↑/↓ move, Enter or Tab puts the reply in the composer (the cursor stays
there), Escape closes."""

import reflex as rx

from vschool.components.text import tr

CANNED_JS = """
function cannedBox() { return document.getElementById('canned-picker'); }
function cannedShown() {
  return [...document.querySelectorAll('#canned-picker .canned-suggestion')].filter((el) => !el.hidden);
}
function cannedMark(el) {
  for (const item of document.querySelectorAll('#canned-picker .canned-suggestion')) {
    item.dataset.active = item === el ? 'true' : 'false';
  }
  el?.scrollIntoView({block: 'nearest'});
}
function cannedFilter(t) {
  const box = cannedBox(); if (!box) return;
  const m = /^\\/(\\S*)$/.exec(t.value);
  if (!m) { box.dataset.open = 'false'; return; }
  const q = m[1].toLowerCase();
  for (const el of box.querySelectorAll('.canned-suggestion')) {
    el.hidden = !((el.dataset.code || '') + ' ' + (el.dataset.content || '')).toLowerCase().includes(q);
  }
  const shown = cannedShown();
  box.dataset.empty = shown.length ? 'false' : 'true';
  box.dataset.open = 'true';
  cannedMark(shown[0]);
}
function cannedInsert(el) {
  const t = document.getElementById('composer'); if (!t || !el) return;
  Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(t, el.dataset.content || '');
  t.dispatchEvent(new Event('input', {bubbles: true}));
  cannedBox().dataset.open = 'false';
  t.focus(); t.setSelectionRange(t.value.length, t.value.length);
}
function cannedKey(e) {
  const box = cannedBox();
  if (!box || box.dataset.open !== 'true' || e.isComposing) return false;
  const shown = cannedShown(), at = shown.findIndex((el) => el.dataset.active === 'true');
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    if (shown.length) cannedMark(shown[(at + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length]);
  } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
    if (at >= 0) cannedInsert(shown[at]);
  } else if (e.key === 'Escape') {
    box.dataset.open = 'false';
  } else return false;
  e.preventDefault();
  return true;
}
document.addEventListener('input', (e) => { if (e.target && e.target.id === 'composer') cannedFilter(e.target); });
document.addEventListener('mousedown', (e) => {
  const el = e.target.closest && e.target.closest('#canned-picker .canned-suggestion');
  if (el) { e.preventDefault(); cannedInsert(el); }
});
"""

KEYBOARD_JS = """
document.addEventListener('keydown', (e) => {
  const t = e.target;
  if (t && t.id === 'composer' && cannedKey(e)) return;
  if (t && t.id === 'composer' && e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault(); document.getElementById('composer-form')?.requestSubmit(); return;
  }
  if (e.key === 'Escape' && document.getElementById('keyboard-help')) {
    document.getElementById('help-toggle')?.click(); return;
  }
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
  const items = [...document.querySelectorAll('.conversation-item')];
  const at = items.findIndex((el) => el.dataset.selected === 'true');
  if (e.key === 'j' || e.key === 'k') {
    const next = items[Math.max(0, Math.min(items.length - 1, at + (e.key === 'j' ? 1 : -1)))];
    next?.click(); next?.scrollIntoView({block: 'nearest'});
  } else if (e.key === 'r') { e.preventDefault(); document.getElementById('composer')?.focus(); }
  else if (e.key === 'e') { document.getElementById('resolve')?.click(); }
  else if (e.key === '?') { document.getElementById('help-toggle')?.click(); }
});
"""

# The open thread follows the conversation: read at its bottom, it stays there as messages arrive
# and as the AI's card above the composer grows or shrinks; scrolled up to read, it stays put.
THREAD_JS = """
let threadAtEnd = true, threadSeen = null;
document.addEventListener('scroll', (e) => {
  const t = e.target;
  if (t && t.id === 'thread') threadAtEnd = t.scrollHeight - t.scrollTop - t.clientHeight < 40;
}, true);
new MutationObserver(() => {
  const t = document.getElementById('thread');
  if (!t) return;
  if (t !== threadSeen) { threadSeen = t; threadAtEnd = true; }
  if (threadAtEnd && t.scrollHeight - t.scrollTop - t.clientHeight > 1) t.scrollTop = t.scrollHeight;
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""

# Once per tab: the page can mount again (leaving the inbox and coming back), the listeners must not.
KEYBOARD = f"if (!window.__vschoolInboxKeys) {{ window.__vschoolInboxKeys = true;\n{CANNED_JS}\n{KEYBOARD_JS}\n{THREAD_JS}\n}}"

PICKER_CSS = """
#canned-picker:not([data-open=true]) { display: none; }
#canned-picker[data-empty=true] .canned-hint, #canned-picker:not([data-empty=true]) .canned-none { display: none; }
#canned-picker .canned-suggestion[data-active=true] { background: var(--accent-4); }
"""


def _suggestion(canned: rx.Var) -> rx.Component:
    return rx.box(
        rx.text("/", canned["code"], weight="bold", size="1"),
        rx.text(canned["content"], size="1", color=rx.color("gray", 11), class_name="canned-preview",
                style={"overflow": "hidden", "white_space": "nowrap", "text_overflow": "ellipsis"}),
        class_name="canned-suggestion",
        custom_attrs={"data-code": canned["code"], "data-content": canned["content"], "data-active": "false"},
        padding="6px 10px",
        cursor="pointer",
        border_radius="6px",
    )


def canned_picker(state: type) -> rx.Component:
    """The list the "/" picker filters, just above the composer (hidden until "/" is typed)."""
    return rx.box(
        rx.el.style(PICKER_CSS),
        rx.box(rx.foreach(state.canned, _suggestion), max_height="200px", overflow_y="auto"),
        rx.text(tr("canned_none_match"), size="1", color=rx.color("gray", 10), class_name="canned-none", padding="6px 10px"),
        rx.text(tr("canned_picker_hint"), size="1", color=rx.color("gray", 9), class_name="canned-hint", padding="2px 10px"),
        id="canned-picker",
        role="listbox",
        position="absolute",
        bottom="100%",
        left="0",
        right="0",
        margin_bottom="4px",
        background=rx.color("gray", 1),
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="8px",
        box_shadow="0 4px 16px rgba(0,0,0,.12)",
        z_index="20",
        padding="4px",
        custom_attrs={"data-open": "false"},
    )
