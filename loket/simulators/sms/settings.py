"""Settings of the SMS simulator (`LOKET_SMS_SIM_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmsSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOKET_SMS_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8111
    api_key: str = Field(default="", description="clients send it as a bearer token; empty: any")
    admin_token: str = Field(default="", description="for /admin/*; empty: admin API open (tests only)")
    receipts_url: str | None = Field(default=None, description="where delivery receipts are POSTed")
    receipts_token: str = ""
    receipt_delay_ms: int = Field(default=200, ge=0)
    latency_ms: int = Field(default=0, ge=0)
