"""帮助: the keys, who may change what, and what each state means."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from datastore.deadlines import STATE_MEANINGS
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.state import state_text

KEYS = [
    ("ctrl+p", "命令面板：输入名称打开任何界面或功能（如 附表1、展板、联系方式）"),
    ("ctrl+s", "保存（每次保存都记入修改历史）"),
    ("Esc", "返回上一级 / 取消；有未保存的修改时会先询问"),
    ("ctrl+q", "退出（有未保存的修改时会先询问）"),
    ("?", "本帮助"),
    ("ctrl+r", "同步：提交、拉取别人的修改、合并、推送；结果显示在右下角，未推送的提交显示在顶部"),
    ("↑ ↓ ← →", "在表格中移动；Tab / shift+Tab 在输入框之间移动"),
    ("Enter", "打开所选的单位、材料或记录"),
    ("a", "在列表中新增一条记录"),
    ("d", "删除所选记录（会先询问）"),
    ("shift+↑ / shift+↓", "在附表1、先进单位、先进个人、典型案例列表中上移 / 下移（⇧↑⇧↓ 调序），"
                          "序号自动连续，导出的表格和材料包按此顺序"),
    ("c", "在看板上：省办公室联系人、电话和纸质材料邮寄地址"),
    ("n", "在看板上（省级）：催报——列出有材料未报、逾期或被退回的单位、事项和填表联系人，可复制后发送"),
    ("s / p", "在单位概况中：标记已报送 / 纸质材料已寄出（再按一次可撤销）；被退回的材料按 s 重新报送，"
              "首次报送日期保留"),
    ("i", "在单位概况中：单位信息（全称、市县区、填表联系人）"),
    ("r", "在单位概况中（省级）：审核所选材料——已收到 / 已通过 / 已退回并写明意见"),
    ("h / ctrl+l", "修改历史（列表、概况、看板中按 h，表单中按 ctrl+l）：谁在何时改了什么，可恢复"),
    ("e", "在看板上：导出正式 Excel 附表、全省汇总、电子材料包、打印版 PDF 或催报名单（省级）"),
    ("v", "在照片栏的“照片文件”上：全屏查看这张照片，← → 换一张"),
    ("m / t / e", "在冲突界面：用我的 / 用对方的 / 改写；长文只替换双方都改了的段落；PgUp / PgDn 翻看合并预览"),
]

ROLES = "\n\n".join([
    "谁能改什么：各单位的填报人员只能修改本单位的材料，其他单位的材料只能查看；省领导小组办公室可以查看和修改"
    "全部单位的材料。您是谁由 access.toml 按登录名或 Git 邮箱确定（也可用 --unit 指定单位）。",
    "保存：随时可以保存，没填完的材料会作为草稿保存，并列出还缺什么；只有无法保存的值（如“人数”里有文字、"
    "不存在的日期）会在该栏被拒绝并说明原因。“报送”是另一个明确的标记，在单位概况中按 s。",
    "字数：不计空格、全角空格、制表符和换行；单行栏目有字数上限，右侧显示已填/上限。照片：从服务器上已有的"
    "文件中选择，保存时才原样复制到本单位的 photos 文件夹（不压缩）；保存时换掉或去掉的照片随这次保存删除，"
    "修改历史里都还在。",
    "未保存的修改：每隔几秒暂存在本机（不会同步），连接断开后再打开这份材料会询问是否恢复。保存时如果别人"
    "刚改过这份材料，会逐项合并：只有两人都改了的栏目需要您选择。",
    "冲突：同步时您和别人改了同一份材料的同一项，应用会列出这些材料；逐项选择“我的”“对方的”或改写，"
    "全部选好后完成合并并推送。中途退出不会丢失任何内容，下次打开会回到冲突列表。",
])


class HelpScreen(Screen):
    BINDINGS = [Binding("escape", "back", "返回")]

    def compose(self) -> ComposeResult:
        yield TopBar("帮助")
        with VerticalScroll(id="body"):
            keys = Table(box=None, show_header=False, padding=(0, 1), expand=True)
            keys.add_column(style="bold", no_wrap=True)
            keys.add_column(ratio=1)
            for key, meaning in KEYS:
                keys.add_row(key, meaning)
            yield Static(Text("按键", style="bold underline"))
            yield Static(keys)
            yield Static(Text(ROLES), classes="paragraphs")
            states = Table(box=None, show_header=False, padding=(0, 1))
            states.add_column(no_wrap=True)
            states.add_column()
            for state, meaning in STATE_MEANINGS.items():
                states.add_row(state_text(state), meaning)
            yield Static(Text("状态", style="bold underline"))
            yield Static(states)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#body").focus()

    def action_back(self) -> None:
        self.dismiss()
