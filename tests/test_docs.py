"""The README documents every setting a deployer can set, and the two set-up commands."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setting_names() -> set[str]:
    source = (ROOT / "verzuim" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))


def test_every_environment_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in setting_names() if f"`{name}`" not in readme)
    assert not missing, f"README configuration table lacks: {missing}"


def test_every_environment_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in setting_names() if f"{name}=" not in example)
    assert not missing, f".env.example lacks: {missing}"


def test_readme_gives_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
