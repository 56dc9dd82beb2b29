"""The command palette (ctrl+p): every screen and action under its Chinese name.

`ENTRIES` is the one list of what the palette offers; a new screen adds its entry here.
Each unit of the campaign is offered too (单位：长春市).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from datastore.models import DELIVERABLES

if TYPE_CHECKING:
    from tui.app import LlweekApp


@dataclass(frozen=True)
class Entry:
    name: str
    help: str
    run: Callable[[LlweekApp], Any]


ENTRIES: list[Entry] = [
    Entry("截止日期看板", "各单位各项材料的状态和截止日期", lambda app: app.go_home()),
    Entry("单位概况", "当前单位每项材料的状态和报送标记", lambda app: app.open_unit()),
    *(Entry(label, f"打开当前单位的{label}", partial(lambda key, app: app.open_deliverable(key), key))
      for key, label in DELIVERABLES.items()),
    Entry("单位信息", "单位全称、所在市（县）区、填表联系人", lambda app: app.open_profile()),
    Entry("联系方式", "省领导小组办公室联系人、电话和纸质材料邮寄地址", lambda app: app.action_contact()),
    Entry("同步", "提交、从服务器拉取别人的修改、合并、推送本机的修改（ctrl+r）",
          lambda app: app.action_sync()),
    Entry("冲突", "同步时双方改了同一项：逐项选择保留哪一份，完成合并", lambda app: app.open_conflicts()),
    Entry("历史", "当前材料或单位的修改历史：谁在何时改了什么，可恢复以前的版本",
          lambda app: app.open_history()),
    Entry("导出", "导出正式 Excel 附表、全省汇总或单位电子材料包", lambda app: app.open_export()),
    Entry("审核", "省级：把当前单位的某项材料标记为已收到、已通过或已退回（在单位概况中按 r）",
          lambda app: app.open_review()),
    Entry("重新读取材料库", "在应用之外改过文件（命令行、Git）后，重新读取全部材料",
          lambda app: app.reload()),
    Entry("帮助", "按键、角色、状态说明", lambda app: app.action_help()),
    Entry("退出", "关闭应用（有未保存的修改时会先询问）", lambda app: app.run_action("quit")),
]


class LlweekCommands(Provider):
    """Offers ENTRIES and one entry per unit."""

    def _entries(self) -> Iterator[Entry]:
        yield from ENTRIES
        app: LlweekApp = self.app  # type: ignore[assignment]
        if app.workspace is not None:
            for unit_id, unit in app.workspace.data.units.items():
                yield Entry(f"单位：{unit.name}", f"打开{unit.name}的材料概况",
                            partial(lambda unit_id, app: app.open_unit(unit_id), unit_id))

    def _command(self, entry: Entry) -> Callable[[], Any]:
        return partial(entry.run, self.app)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.name, self._command(entry), help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for entry in self._entries():
            score = matcher.match(entry.name)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(entry.name), self._command(entry), help=entry.help)
        if not found:  # said in Chinese, instead of the palette's own English words
            yield Hit(0.001, f"没有找到“{query}”", partial(self.app.action_help),  # type: ignore[attr-defined]
                      help="试试：附表1、展板素材、先进个人、联系方式；Enter 打开帮助，Esc 返回")
