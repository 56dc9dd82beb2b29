"""The photo slot the cursor is in draws its photo (half blocks), with its size and verdict."""

from __future__ import annotations

from app_harness import make_app, settle, via_palette

from tui.widgets.photo_preview import PhotoPicture, PhotoPreview

PHOTOS = "units/changchun/photos"


def preview_of(app, index: int) -> tuple[bool, str, list[str]]:
    """(shown, verdict, picture lines) of slot `index`."""
    preview = app.screen.query_one(f"#preview-{index}", PhotoPreview)
    picture = preview.query_one(PhotoPicture)
    lines = [strip.text for strip in picture.render_lines(picture.region.reset_offset)] \
        if preview.display and picture.region.area else []
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
