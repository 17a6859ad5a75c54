"""YAML -> validated :class:`Config`, for both the native form and cv-arxiv-daily's ``config.yaml``.

``models`` holds the pydantic models (one schema for both forms), ``yaml_lines`` the YAML
composed with line numbers, ``load`` the entry points that map every validation error back to
``FILE:LINE: key.path: what is wrong``.
"""

from .load import config_from_dict, load_config
from .models import ENV_OVERRIDES, PATH_KEYS, Config, EmailConfig, EnrichConfig, Topic, WebhookConfig

__all__ = [
    "Config",
    "Topic",
    "EnrichConfig",
    "EmailConfig",
    "WebhookConfig",
    "PATH_KEYS",
    "ENV_OVERRIDES",
    "load_config",
    "config_from_dict",
]
