"""What catches a staff member's eye in any tab: the unread count in the tab title
("(3) กล่องข้อความ · V School") and, for those who allowed it, a browser notification when a new
conversation arrives that is theirs or nobody's.

The numbers come from a hidden element the server keeps live (`#attention`, from
`models.inbox_queries.attention`); a small script in the page turns them into the title and the
notification, so no handler runs for either and the browser API is only touched in the browser.
"""

import reflex as rx

from models.access import Access
from models.db import session_scope
from models.inbox_queries import attention
from vschool.state.auth import AuthState, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

NOTHING = {"unread": "0", "newest": "0", "newest_name": ""}

# Runs once per tab. The title is rebuilt whenever the page changes (Reflex also writes it on
# navigation); a notification fires only for a conversation newer than the newest this tab has
# already seen, so a reload never repeats one.
ATTENTION_JS = """
(() => {
  if (window.__vschoolAttention) return;
  window.__vschoolAttention = true;
  let queued = false;
  const notify = (el) => {
    const shell = document.getElementById('app-shell');
    if (!shell || shell.dataset.hydrated !== 'true' || !el.dataset.newest) return;  // the server's figures are not here yet
    const newest = parseInt(el.dataset.newest, 10);
    const before = sessionStorage.getItem('vschool-newest-conversation');  // null: this tab's first look
    const seen = before === null ? newest : parseInt(before, 10);
    sessionStorage.setItem('vschool-newest-conversation', String(Math.max(seen, newest)));
    if (newest <= seen || !('Notification' in window) || Notification.permission !== 'granted') return;
    const note = new Notification(el.dataset.heading || 'V School', {body: el.dataset.name || '', tag: 'conversation-' + newest});
    note.onclick = () => { window.focus(); window.location.href = '/inbox?c=' + newest; };
  };
  const update = () => {
    queued = false;
    const el = document.getElementById('attention');
    const heading = document.getElementById('page-title');
    const unread = el ? parseInt(el.dataset.unread || '0', 10) : 0;
    const title = (unread > 0 ? '(' + unread + ') ' : '') + (heading ? heading.innerText + ' · ' : '') + 'V School';
    if (document.title !== title) document.title = title;
    if (el) notify(el);
  };
  new MutationObserver(() => { if (!queued) { queued = true; requestAnimationFrame(update); } })
    .observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                        attributeFilter: ['data-unread', 'data-newest', 'data-hydrated']});
  update();
})();
"""


class AttentionState(StaffState):
    @rx.var
    async def attention(self) -> dict[str, str]:
        feed = await self.get_state(Feed)
        _ = (feed.conversation, feed.message)
        staff_id = (await self.get_state(AuthState)).user_id
        if not staff_id or await viewer(self, Access.INBOX) is None:
            return NOTHING  # marketing never reads chats: no count, no notification
        with session_scope() as session:
            return attention(session, staff_id)


def attention_marker() -> rx.Component:
    """The hidden element the script reads, and the script."""
    return rx.fragment(
        rx.box(
            id="attention",
            display="none",
            custom_attrs={
                "data-unread": AttentionState.attention["unread"],
                "data-newest": AttentionState.attention["newest"],
                "data-name": AttentionState.attention["newest_name"],
                "data-heading": rx.cond(AuthState.language == "th", "ข้อความใหม่ · V School", "New conversation · V School"),
            },
        ),
        rx.script(ATTENTION_JS),
    )
