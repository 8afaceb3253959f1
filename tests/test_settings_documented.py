from pathlib import Path

from tending.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_described_and_documented() -> None:
    text = README.read_text()
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"`TENDING_{name.upper()}`" in text, f"README does not document TENDING_{name.upper()}"
