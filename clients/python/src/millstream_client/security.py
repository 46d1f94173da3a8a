"""Kafka link security: TLS and SASL, the same settings as the millstream service.

The settings mirror the service's environment (``KAFKA_SSL``, ``KAFKA_SSL_CA_FILE``,
``KAFKA_SSL_CERT_FILE``, ``KAFKA_SSL_KEY_FILE``, ``KAFKA_SASL_MECHANISM``,
``KAFKA_SASL_USERNAME``, ``KAFKA_SASL_PASSWORD_FILE``). The password is read from a file,
never taken from the command line or the environment. The broker's certificate and host name
are always verified.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

SASL_MECHANISMS = {"scram-sha-512": "SCRAM-SHA-512", "scram-sha-256": "SCRAM-SHA-256", "plain": "PLAIN"}


class KafkaSecurityError(ValueError):
    """The security settings are incomplete, contradictory, or name a file that cannot be read."""


@dataclass(frozen=True)
class KafkaSecurity:
    """TLS (``ssl``) with an optional CA and client certificate, and SASL login."""

    ssl: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password_file: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "KafkaSecurity":
        """The settings from the environment, by the service's names."""
        e = os.environ if env is None else env
        get = lambda name: e.get(name) or None  # noqa: E731 (empty means unset, as in the service)
        return cls(
            ssl=(get("KAFKA_SSL") or "false").lower() in ("true", "1", "yes"),
            ca_file=get("KAFKA_SSL_CA_FILE"),
            cert_file=get("KAFKA_SSL_CERT_FILE"),
            key_file=get("KAFKA_SSL_KEY_FILE"),
            sasl_mechanism=get("KAFKA_SASL_MECHANISM"),
            sasl_username=get("KAFKA_SASL_USERNAME"),
            sasl_password_file=get("KAFKA_SASL_PASSWORD_FILE"),
        )

    @property
    def tls(self) -> bool:
        """TLS is on when asked for or implied by any TLS file."""
        return self.ssl or any((self.ca_file, self.cert_file, self.key_file))

    @property
    def protocol(self) -> str:
        """librdkafka's ``security.protocol``."""
        if self.sasl_mechanism:
            return "SASL_SSL" if self.tls else "SASL_PLAINTEXT"
        return "SSL" if self.tls else "PLAINTEXT"

    def librdkafka_config(self) -> dict[str, Any]:
        """The librdkafka settings; raises :class:`KafkaSecurityError` listing every problem."""
        problems: list[str] = []
        conf: dict[str, Any] = {"security.protocol": self.protocol}
        if self.tls:
            conf["enable.ssl.certificate.verification"] = True
            conf["ssl.endpoint.identification.algorithm"] = "https"
            for name, path, key in (
                ("KAFKA_SSL_CA_FILE", self.ca_file, "ssl.ca.location"),
                ("KAFKA_SSL_CERT_FILE", self.cert_file, "ssl.certificate.location"),
                ("KAFKA_SSL_KEY_FILE", self.key_file, "ssl.key.location"),
            ):
                if path is None:
                    continue
                if not os.access(path, os.R_OK) or not os.path.isfile(path):
                    problems.append(f"{name}: {path}: missing or unreadable")
                conf[key] = path
            if (self.cert_file is None) != (self.key_file is None):
                problems.append("KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: give both or neither")
        if self.sasl_mechanism:
            mechanism = SASL_MECHANISMS.get(self.sasl_mechanism.lower())
            if mechanism is None:
                problems.append(
                    f"KAFKA_SASL_MECHANISM: {self.sasl_mechanism!r} is not one of {', '.join(SASL_MECHANISMS)}"
                )
            elif mechanism == "PLAIN" and not self.tls:
                problems.append("KAFKA_SASL_MECHANISM: plain sends the password in clear; use TLS")
            if not self.sasl_username:
                problems.append("KAFKA_SASL_USERNAME: the SASL mechanism needs it")
            password = self._password(problems)
            conf.update(
                {"sasl.mechanism": mechanism, "sasl.username": self.sasl_username, "sasl.password": password}
            )
        elif self.sasl_username or self.sasl_password_file:
            problems.append("KAFKA_SASL_MECHANISM: set it (scram-sha-512) to log in with the username")
        if problems:
            raise KafkaSecurityError("; ".join(problems))
        return conf

    def _password(self, problems: list[str]) -> str | None:
        if not self.sasl_password_file:
            problems.append("KAFKA_SASL_PASSWORD_FILE: the SASL mechanism needs it")
            return None
        try:
            with open(self.sasl_password_file, encoding="utf-8") as f:
                password = f.read().rstrip("\r\n")
        except OSError as exc:
            problems.append(f"KAFKA_SASL_PASSWORD_FILE: {self.sasl_password_file}: {exc.strerror}")
            return None
        if not password:
            problems.append(f"KAFKA_SASL_PASSWORD_FILE: {self.sasl_password_file} is empty")
        return password
