"""The photo slot the cursor is in draws its photo, with its size and verdict; `v` shows it
over the whole screen, ← → go through the record's photos."""

from __future__ import annotations

from app_harness import make_app, notices, open_first_record, screen_text, settle, via_palette

from datastore.loader import load_repo

from tui.screens.photo_viewer import PhotoViewerScreen
from tui.widgets.photo_preview import PhotoPicture, PhotoPreview
from tui.widgets.photo_slots import PhotoSlots

PHOTOS = "units/changchun/photos"


def drawn(picture: PhotoPicture) -> list[str]:
    """The lines the picture's drawing shows (half blocks under Pilot)."""
    drawing = picture.drawing
    if not drawing.region.area:
        return []
    return [strip.text for strip in drawing.render_lines(drawing.region.reset_offset)]


def preview_of(app, index: int) -> tuple[bool, str, list[str]]:
    """(shown, verdict, picture lines) of slot `index`."""
    preview = app.screen.query_one(f"#preview-{index}", PhotoPreview)
    lines = drawn(preview.query_one(PhotoPicture)) if preview.display else []
    return preview.display, str(preview.query_one(".photo-verdict").render()), lines


async def focus_slot(pilot, app, index: int) -> None:
    app.screen.query_one(f"#photo-{index}").focus()
    await settle(pilot)


async def test_the_chosen_slots_jpeg_is_drawn_with_size_and_verdict(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        assert not preview_of(app, 1)[0]  # nothing drawn until the cursor is in a slot

        await focus_slot(pilot, app, 1)
        shown, verdict, lines = preview_of(app, 1)
        assert shown and "像素" in verdict and verdict.endswith("分辨率合格")
        assert any("▀" in line for line in lines)

        await focus_slot(pilot, app, 2)
        assert not preview_of(app, 1)[0] and preview_of(app, 2)[0]


async def test_a_corrupt_photo_in_a_slot_shows_a_message_instead(sample_repo):
    (sample_repo / PHOTOS / "exh-03.jpg").write_bytes(b"\xff\xd8\xff\xe0 half a download")
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        await focus_slot(pilot, app, 3)
        shown, verdict, lines = preview_of(app, 3)
        assert shown and verdict.startswith("无法使用：")
        assert not any("▀" in line for line in lines)


async def test_summary_slots_preview_too(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "年度总结")
        await focus_slot(pilot, app, 8)
        shown, verdict, lines = preview_of(app, 8)
        assert shown and "分辨率" in verdict
        assert any("▀" in line for line in lines)


async def test_v_shows_the_slots_photo_over_the_whole_screen_and_arrows_go_through_them(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        await focus_slot(pilot, app, 2)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PhotoViewerScreen)
        text = screen_text(app)
        assert "第 2 张  银龄数字课堂教老人用手机" in text and "（2/6" in text
        picture = app.screen.query_one("#viewer-picture", PhotoPicture)
        lines = [line for line in drawn(picture) if "▀" in line]
        assert len(lines) >= 15 and max(len(line.strip()) for line in lines) > 40  # fills it
        assert "分辨率合格" in str(app.screen.query_one("#viewer-verdict").render())
        await pilot.press("right")
        await settle(pilot)
        assert "第 3 张  职业院校开放实训基地" in screen_text(app)
        await pilot.press("left", "left", "left")
        await settle(pilot)
        assert "第 6 张  绿园区八段锦线上课堂" in screen_text(app)  # round from the first
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PhotoViewerScreen)
        assert app.screen.focused.id == "photo-2"


async def test_an_empty_slot_has_nothing_to_show_full_screen(sample_repo):
    app = make_app(sample_repo, "meihekou")  # no exhibition photos yet
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        await focus_slot(pilot, app, 1)
        await pilot.press("v")
        await settle(pilot)
        assert not isinstance(app.screen, PhotoViewerScreen)
        assert "这一张还没有照片" in notices(app)


async def test_a_case_has_optional_photo_slots_that_draw_and_save_their_photo(sample_repo):
    from tests.builders import write_photo

    write_photo(sample_repo, "changchun", "case-1.jpg", 2400, 1600)
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_record(pilot, "典型案例")
        assert "选填照片（4 张，每张都要命名）" in screen_text(app)
        assert "照片" not in str(app.screen.query_one("#general").render())  # none is fine
        app.screen.query_one(PhotoSlots).slot(1).set_file("case-1.jpg")
        app.screen.query_one("#caption-1").value = "宣讲团走进社区"
        await focus_slot(pilot, app, 1)
        shown, verdict, lines = preview_of(app, 1)
        assert shown and verdict.endswith("分辨率合格") and any("▀" in line for line in lines)
        await pilot.press("ctrl+s")
        await settle(pilot)
    case = load_repo(sample_repo).units["changchun"].items("cases")[0].record
    assert [(p.file, p.caption) for p in case.photos] == [("case-1.jpg", "宣讲团走进社区")]
