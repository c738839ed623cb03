"""Experiment configurations: one small frozen dataclass per training experiment, chosen by scale.

    @dataclass(frozen=True)
    class LMConfig(lmbook.Config):
        d_model: int = 128
        steps: int = 300
        CAPS = {"steps": 4}          # what a GPU-scale dry run on the CPU keeps at most

    cfg = lmbook.pick(cpu=LMConfig(), gpu=LMConfig(d_model=512, steps=5000))
    cfg.show("LSTM 语言模型")        # prints the table; the GPU runner also records it
"""
from __future__ import annotations

import dataclasses
from typing import Any, ClassVar


class Config:
    """Mixin for frozen dataclasses that describe one experiment (sizes, steps, learning rate…)."""

    #: field name → the largest value a GPU-scale dry run keeps (``dataclasses.replace`` with ``min``)
    CAPS: ClassVar[dict[str, Any]] = {}

    def _fields(self) -> dict[str, Any]:
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} 必须是 dataclass：在类定义前加 @dataclass(frozen=True)。")
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def capped(self) -> "Config":
        """The same configuration with every field named in ``CAPS`` limited to its cap."""
        fields = self._fields()
        unknown = set(self.CAPS) - set(fields)
        if unknown:
            raise ValueError(f"{type(self).__name__}.CAPS 里的 {sorted(unknown)} 不是字段；可选字段：{sorted(fields)}。")
        changes = {k: min(fields[k], cap) for k, cap in self.CAPS.items()}
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def as_dict(self) -> dict[str, Any]:
        return self._fields()

    def show(self, name: str | None = None) -> "Config":
        """Print the configuration as one line per field and record it for the GPU runner."""
        from .results import report_config

        report_config(name or type(self).__name__, self.as_dict())
        return self
