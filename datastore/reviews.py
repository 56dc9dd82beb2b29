"""The province's review of what a unit sent (reviews/<unit>.toml), one commit per decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from datastore.access import Actor
from datastore.errors import LlweekError, PermissionDenied
from datastore.gitrepo import GitRepo, Identity
from datastore.ids import check_id
from datastore.models import DELIVERABLES, REVIEW_STATES, Campaign, ReviewEntry, Reviews
from datastore.paths import review_path
from datastore.records import with_changes
from datastore.save import SaveResult, load_campaign, open_for_update, save_file, trailers, unit_name


def describe_review(deliverable: str, state: str) -> str:
    """`工作方案：已退回` — how the commit subject and messages name a decision."""
    return f"{DELIVERABLES[deliverable]}：{REVIEW_STATES[state]}"


def _repo_identity(root: Path) -> Identity:
    with GitRepo(root) as repo:
        return repo.require_identity()


def set_review(root: Path, unit: str, deliverable: str, state: str, comment: str | None, *,
               actor: Actor | None, author: Identity | None = None,
               when: dt.datetime | None = None) -> SaveResult:
    """Record the province's decision on one deliverable of a unit, as one commit.

    `state` is received / accepted / returned; a return needs a comment, so the unit knows
    what to change. `by` is the reviewer's login (their name where roles are not set
    up), `at` the day of `when` (default today).
    Only the province role may review (`actor=None`: no check, for trusted callers).
    """
    if actor is not None and not actor.is_province:
        raise PermissionDenied(f"{actor.label}不能审核：审核只能由省级人员进行")
    check_id(unit, "单位编号")
    if deliverable not in DELIVERABLES:
        raise LlweekError(f"未知的材料「{deliverable}」")
    if state not in REVIEW_STATES:
        raise LlweekError(f"审核状态「{state}」无效，应为 {'、'.join(REVIEW_STATES.values())} 之一")
    comment = (comment or "").strip() or None
    if state == "returned" and comment is None:
        raise LlweekError("退回时请写明意见，单位才知道要修改什么")
    campaign = load_campaign(root)
    if unit not in {ref.id for ref in campaign.units} and not (root / "units" / unit).is_dir():
        raise LlweekError(f"单位「{unit}」不在 campaign.toml 的报送单位名单中")
    rel = review_path(unit)
    current, expected = open_for_update(root, rel, Reviews, unit)
    reviewer = (actor.login or actor.name) if actor else (author or _repo_identity(root)).name
    day = (when or dt.datetime.now()).date()
    entry = ReviewEntry(state=state, at=day, by=reviewer, comment=comment)
    updated = with_changes(current, {deliverable: entry})  # type: ignore[arg-type]
    return save_file(root, rel, updated, review_message(campaign, unit, deliverable, entry),
                     expected=expected, actor=actor, author=author, when=when)


def review_message(campaign: Campaign, unit: str, deliverable: str, entry: ReviewEntry) -> str:
    """`吉林省: 审核 长春市 工作方案：已退回`, the comment in the body, and the trailers."""
    province = campaign.province or "吉林省"
    decision = describe_review(deliverable, entry.state or "")
    subject = f"{province}: 审核 {unit_name(campaign, unit)} {decision}"
    body = f"{subject}\n\n意见：{entry.comment}" if entry.comment else subject
    return trailers(body, unit, [review_path(unit)])
