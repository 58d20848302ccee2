"""Tiny getters and Annotated aliases that routes declare to get what they need."""

from typing import Annotated

from fastapi import Depends, Request

from envdeck.config import Settings
from envdeck.services.container import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
