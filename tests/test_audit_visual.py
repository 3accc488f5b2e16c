"""The audit's visual check (audit/visual.py): what it lets through and what it names."""

from PIL import Image, ImageDraw

from audit import visual


def page(path, *, height=2000, block_at=300, block_height=400, text_rows=()):
    """A page-like screenshot: white, a dark block (a photo), thin grey lines (text)."""
    image = Image.new("RGB", (1280, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, block_at, 760, block_at + block_height), fill=(40, 60, 90))
    for y in text_rows:
        draw.rectangle((800, y, 1100, y + 2), fill=(120, 120, 120))
    image.save(path)
    return path


def test_the_same_layout_passes_and_small_text_changes_are_tolerated(tmp_path):
    accepted, today = tmp_path / "accepted", tmp_path / "today"
    today.mkdir()
    visual.accept([page(today / "home-1280.png", text_rows=range(300, 700, 40))], accepted)
    # The same page an hour later: a time in one line reads differently.
    shot = page(today / "home-1280.png", text_rows=[*range(300, 700, 40), 710])
    assert visual.compare([shot], tmp_path / "diffs", accepted) == []


def test_a_block_that_moves_fails_with_the_page_named_and_a_diff_image(tmp_path):
    accepted, today = tmp_path / "accepted", tmp_path / "today"
    today.mkdir()
    visual.accept([page(today / "story-375.png")], accepted)
    moved = page(today / "story-375.png", block_at=900)
    [difference] = visual.compare([moved], tmp_path / "diffs", accepted)
    assert difference.name == "story-375"
    assert "differs from the accepted screenshot" in difference.message
    assert (tmp_path / "diffs" / "story-375-diff.png").exists()


def test_a_page_that_grows_or_changes_width_fails(tmp_path):
    accepted, today = tmp_path / "accepted", tmp_path / "today"
    today.mkdir()
    visual.accept([page(today / "tag-1280.png")], accepted)
    longer = page(today / "tag-1280.png", height=2400)
    [difference] = visual.compare([longer], tmp_path / "diffs", accepted)
    assert difference.message.startswith("page height 2000 px became 2400 px")
    Image.new("RGB", (1024, 2000), "white").save(today / "tag-1280.png")
    [difference] = visual.compare([today / "tag-1280.png"], tmp_path / "diffs", accepted)
    assert difference.message == "width 1280 px became 1024 px"


def test_a_page_without_an_accepted_screenshot_says_how_to_accept_one(tmp_path):
    shot = page(tmp_path / "author-375.png")
    [difference] = visual.compare([shot], tmp_path / "diffs", tmp_path / "none")
    assert difference.name == "author-375" and "make audit-accept" in difference.message


def test_dark_scheme_screenshots_are_kept_as_artifacts_but_not_compared(tmp_path):
    shot = page(tmp_path / "home-375-dark.png")
    assert visual.accept([shot], tmp_path / "accepted") == []
    assert visual.compare([shot], tmp_path / "diffs", tmp_path / "accepted") == []
