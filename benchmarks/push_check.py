"""What the pre-receive check costs a push: the same unit push into a central repository with
the hook and into one without it, as a ratio (the floor is measured in the same run).

`python benchmarks/push_check.py [COMMITS]` — a unit's COMMITS saves (default 300, one month
of offline work), every tenth a merge of the province's changes from the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datastore.hook import install_hook  # noqa: E402
from datastore.scaffold import SAMPLE_DIR  # noqa: E402

#: a push with the check may take at most this many times the unchecked push
CEILING = 20.0


#: the e-mail access.toml gives each login (the check wants it as a unit's committer)
EMAILS = {"wuxiaohui": "jlqmx@126.com", "cc-zhangli": "cc_zhangli@126.com"}


def git(repo: Path, *args: str, login: str | None = None, who: str = "wuxiaohui") -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME=who, GIT_AUTHOR_EMAIL=EMAILS[who],
               GIT_COMMITTER_NAME=who, GIT_COMMITTER_EMAIL=EMAILS[who])
    if login:
        env["GL_USER"] = login
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def commit(clone: Path, rel: str, text: str, who: str) -> None:
    path = clone / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(clone, "add", "--", rel)
    git(clone, "commit", "-q", "-m", f"修改 {rel}", who=who)


def main(commits: int) -> float:
    base = Path(tempfile.mkdtemp(prefix="llweek-bench-push-"))
    try:
        seed = base / "seed"
        seed.mkdir()
        for name in ("campaign.toml", "access.toml"):
            shutil.copyfile(SAMPLE_DIR / name, seed / name)
        git(seed, "init", "-q", "-b", "main")
        git(seed, "add", ".")
        git(seed, "commit", "-q", "-m", "建立")
        centrals = {}
        for name, hooked in (("plain", False), ("hooked", True)):
            central = base / f"{name}.git"
            git(base, "init", "-q", "--bare", "-b", "main", str(central))
            if hooked:
                install_hook(central, gitolite=True, province="wuxiaohui")
            git(seed, "push", "-q", str(central), "main", login="wuxiaohui")
            centrals[name] = central
        git(base, "clone", "-q", str(centrals["plain"]), str(base / "province"))
        git(base, "clone", "-q", str(centrals["plain"]), str(base / "unit"))
        province, unit = base / "province", base / "unit"
        for n in range(commits):
            commit(unit, f"units/changchun/activities/a{n:04d}.toml", f'id = "a{n:04d}"\n',
                   "cc-zhangli")
            if n % 10 == 9:
                commit(province, f"reviews/r{n:04d}.toml", "[work_plan]\n", "wuxiaohui")
                git(unit, "pull", "-q", "--no-rebase", "--no-edit", str(province), "main",
                    who="cc-zhangli")
        for name in ("plain", "hooked"):
            git(province, "push", "-q", str(centrals[name]), "main", login="wuxiaohui")
        timings = {}
        for name in ("plain", "hooked"):
            start = time.perf_counter()
            git(unit, "push", "-q", str(centrals[name]), "HEAD:main", login="cc-zhangli")
            timings[name] = time.perf_counter() - start
    finally:
        shutil.rmtree(base)
    ratio = timings["hooked"] / timings["plain"]
    print(f"{commits} 个提交（其中 {commits // 10} 个合并）的推送："
          f"无检查 {timings['plain']:.2f} s，有检查 {timings['hooked']:.2f} s，"
          f"比值 {ratio:.1f}（上限 {CEILING:.0f}）")
    return ratio


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 300) <= CEILING else 1)
