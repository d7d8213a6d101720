"""Role mapping configuration: rules from TOML tables, errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.errors import ConfigError, InputError
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role, RoleMapping, RoleRule, read_role_mapping


def test_rules_from_config() -> None:
    mapping = RoleMapping.from_config([
        {"role": "organ", "policy": "1.2.704.1.1"},
        {"role": "signer", "issuer": ".*CN=Government CA.*", "subject": ".*T=Giám đốc.*"},
    ])
    assert [r.role for r in mapping.rules] == [Role.ORGAN, Role.SIGNER]


@pytest.mark.parametrize(("rules", "key", "message"), [
    ([{"role": "clerk", "policy": "1.2"}], "roles[0]", "unknown role 'clerk'"),
    ([{"role": "organ"}], "roles[0]", "at least one of policy, issuer, subject"),
    ([{"role": "organ", "policy": "not an oid"}], "roles[0]", "not a dotted OID"),
    ([{"role": "organ", "policy": "1.2"}, {"role": "organ", "issuer": "("}], "roles[1]",
     "not a regular expression"),
    ([{"role": "organ", "policy": "1.2", "colour": "red"}], "roles[0]", "unknown key 'colour'"),
    ([{"role": "organ", "policy": 12}], "roles[0].policy", "must be a string"),
    (["organ"], "roles[0]", "must be a table"),
])
def test_bad_rules_name_the_key(rules: list[object], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        RoleMapping.from_config(rules, file="trust.toml")  # type: ignore[arg-type]
    assert info.value.code == "DF-PKI-026"
    assert info.value.location.key == key and info.value.location.file == "trust.toml"
    assert message in info.value.message


def test_rule_needs_a_criterion() -> None:
    with pytest.raises(ConfigError, match="DF-PKI-026"):
        RoleRule(Role.ORGAN)


def test_read_role_mapping_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "roles.toml"
    path.write_text('docflow_policies = false\n[[roles]]\nrole = "organ"\n'
                    'issuer = ".*CN=Government CA.*"\n', "utf-8")
    mapping = read_role_mapping(path)
    assert not mapping.docflow_policies and mapping.rules[0].role is Role.ORGAN
    path.write_text("[[roles]]\nrole = 'organ'\n", "utf-8")
    with pytest.raises(ConfigError, match="DF-PKI-026"):
        read_role_mapping(path)
    path.write_text("roles = [", "utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_role_mapping(path)
    with pytest.raises(InputError, match="DF-IO-001"):
        read_role_mapping(tmp_path / "absent.toml")


def test_organ_code_comes_from_the_configured_attribute(pki: NationalPki) -> None:
    """The organ code is read from organizationIdentifier (where docflow's PKI puts it) unless
    the mapping names another subject attribute; absent, there is none."""
    _, cert, _ = pki.credentials_for("000.00.00.H38", Role.ORGAN)
    assert RoleMapping().organ_codes(cert) == ("000.00.00.H38",)
    assert RoleMapping(organ_code_attribute="2.5.4.11").organ_codes(cert) == ()


def test_organ_code_attribute_from_toml(tmp_path: Path) -> None:
    """``organ_code_attribute`` in the trust configuration must be a dotted OID."""
    path = tmp_path / "roles.toml"
    path.write_text('organ_code_attribute = "2.5.4.11"\n', "utf-8")
    assert read_role_mapping(path).organ_code_attribute == "2.5.4.11"
    path.write_text('organ_code_attribute = "OU"\n', "utf-8")
    with pytest.raises(ConfigError, match="organ_code_attribute") as info:
        read_role_mapping(path)
    assert info.value.location.key == "organ_code_attribute"
