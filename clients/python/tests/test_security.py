"""Kafka link security settings: what reaches librdkafka, and every problem at once."""

from __future__ import annotations

import pytest

from millstream_client import KafkaSecurity, KafkaSecurityError
from millstream_client.cli import build_parser, security_of


def test_plaintext_by_default() -> None:
    assert KafkaSecurity().librdkafka_config() == {"security.protocol": "PLAINTEXT"}


def test_sasl_ssl_with_a_verified_ca_and_a_password_from_a_file(tmp_path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    password = tmp_path / "password"
    password.write_text("pw-reader\n")
    conf = KafkaSecurity(
        ca_file=str(ca), sasl_mechanism="scram-sha-512", sasl_username="reader", sasl_password_file=str(password)
    ).librdkafka_config()
    assert conf == {
        "security.protocol": "SASL_SSL",
        "enable.ssl.certificate.verification": True,
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.ca.location": str(ca),
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "reader",
        "sasl.password": "pw-reader",
    }


def test_every_problem_is_listed_and_no_password_in_it(tmp_path) -> None:
    with pytest.raises(KafkaSecurityError) as raised:
        KafkaSecurity(
            cert_file=str(tmp_path / "missing.pem"),
            sasl_mechanism="plain",
            sasl_password_file=str(tmp_path / "nope"),
        ).librdkafka_config()
    text = str(raised.value)
    assert "KAFKA_SSL_CERT_FILE" in text and "give both or neither" in text
    assert "KAFKA_SASL_USERNAME" in text and "KAFKA_SASL_PASSWORD_FILE" in text


def test_plain_without_tls_is_refused(tmp_path) -> None:
    password = tmp_path / "password"
    password.write_text("x")
    with pytest.raises(KafkaSecurityError, match="in clear"):
        KafkaSecurity(sasl_mechanism="plain", sasl_username="u", sasl_password_file=str(password)).librdkafka_config()


def test_settings_come_from_the_services_environment_names() -> None:
    security = KafkaSecurity.from_env(
        {"KAFKA_SSL": "true", "KAFKA_SASL_MECHANISM": "scram-sha-512", "KAFKA_SASL_USERNAME": "reader"}
    )
    assert security.protocol == "SASL_SSL"
    assert security.sasl_username == "reader"


def test_command_line_options_map_to_security(monkeypatch) -> None:
    monkeypatch.delenv("KAFKA_SSL", raising=False)
    args = build_parser().parse_args(
        ["count", "--topic", "t", "--ssl-ca", "/ca.pem", "--sasl-mechanism", "scram-sha-512"]
        + ["--sasl-username", "reader", "--sasl-password-file", "/pw"]
    )
    security = security_of(args)
    assert security.protocol == "SASL_SSL"
    assert security.ca_file == "/ca.pem" and security.sasl_password_file == "/pw"
