#!/usr/bin/env python3
# Generates tests/data/ocsf-1.5.0-compliance_finding.schema.json (used by
# tests/unit/report/test_ocsf.py). To regenerate it:
#   pip download --no-deps ocsf-json-schema==1.2.0
#   unzip ocsf_json_schema-1.2.0-py3-none-any.whl -d ocsf-json-schema
#   python3 tests/data/gen_ocsf_compliance_schema.py \
#       ocsf-json-schema/ocsf_json_schema/ocsf/1.5.0.json \
#       > tests/data/ocsf-1.5.0-compliance_finding.schema.json
# The input is the compiled OCSF 1.5.0 export (top-level "version": "1.5.0").
"""Generate a JSON Schema (draft 2020-12) for the OCSF 1.5.0 Compliance Finding
class (class_uid 2003) from a *compiled* OCSF 1.5.0 schema export.

Input: the OCSF server-style export of 1.5.0 (keys: version, classes, objects,
types, base_event, dictionary_attributes), as shipped in the PyPI wheel
ocsf-json-schema==1.2.0 at ocsf_json_schema/ocsf/1.5.0.json.

Usage:
    python3 gen_ocsf_compliance_schema.py /path/to/1.5.0.json > ocsf-compliance_finding.schema.json
"""

import json
import sys

CLASS = "compliance_finding"

# OCSF scalar type -> JSON Schema fragment (after resolving derived types).
BASE_TYPES = {
    "boolean_t": {"type": "boolean"},
    "float_t": {"type": "number"},
    "integer_t": {"type": "integer"},
    "long_t": {"type": "integer"},
    "string_t": {"type": "string"},
    "json_t": {},  # any JSON value
}


def def_name(obj_name: str) -> str:
    # JSON-pointer-safe $defs key (extension objects look like "win/reg_key").
    return obj_name.replace("/", "__")


def type_fragment(types: dict, tname: str) -> dict:
    """JSON Schema for an OCSF scalar type, following 'type' chains."""
    if tname in BASE_TYPES:
        frag = dict(BASE_TYPES[tname])
    else:
        t = types[tname]
        frag = type_fragment(types, t["type"]) if "type" in t else {}
        if "regex" in t:
            frag["pattern"] = t["regex"]
        if "max_len" in t:
            frag["maxLength"] = t["max_len"]
        if "range" in t:
            frag["minimum"], frag["maximum"] = t["range"]
    return frag


def attr_schema(types, name, a, with_desc=True) -> dict:
    t = a["type"]
    if t == "object_t":
        ot = a["object_type"]
        # OCSF generic 'object' (e.g. unmapped): any JSON object
        item = {"type": "object"} if ot == "object" else {"$ref": f"#/$defs/{def_name(ot)}"}
    else:
        item = type_fragment(types, t)
        if t == "timestamp_t":
            item["$comment"] = "OCSF timestamp_t: milliseconds since the Unix epoch (long_t)."
        enum = a.get("enum")
        if enum:
            if item.get("type") == "integer":
                item["enum"] = sorted(int(k) for k in enum)
                item["x-ocsf-enum"] = {
                    str(k): enum[str(k)].get("caption") for k in sorted(int(x) for x in enum)
                }
            else:
                # String enums are listed but not enforced (OCSF treats them as
                # suggested values; see notes).
                item["x-ocsf-enum"] = {k: v.get("caption") for k, v in enum.items()}
    s = {"type": "array", "items": item} if a.get("is_array") else item
    if "$ref" in s and len(s) == 1:
        # keep $ref alone-compatible: 2020-12 allows siblings, fine to annotate
        pass
    if a.get("caption"):
        s["title"] = a["caption"]
    if with_desc and a.get("description"):
        s["description"] = a["description"]
    s["x-ocsf-type"] = t if t != "object_t" else a["object_type"]
    s["x-ocsf-requirement"] = a.get("requirement", "optional")
    if a.get("profile"):
        s["x-ocsf-profile"] = a["profile"]
    if a.get("@deprecated"):
        s["deprecated"] = True
        s["x-ocsf-deprecated"] = a["@deprecated"]
    return s


def constraints_schema(c) -> list:
    out = []
    if not c:
        return out
    if c.get("at_least_one"):
        out.append(
            {
                "anyOf": [{"required": [f]} for f in c["at_least_one"]],
                "$comment": "OCSF constraint at_least_one: " + ", ".join(c["at_least_one"]),
            }
        )
    if c.get("just_one"):
        out.append(
            {
                "oneOf": [{"required": [f]} for f in c["just_one"]],
                "$comment": "OCSF constraint just_one: " + ", ".join(c["just_one"]),
            }
        )
    return out


def object_schema(types, objects, name, with_desc) -> dict:
    ob = objects[name]
    props, req = {}, []
    for n in sorted(ob["attributes"]):
        a = ob["attributes"][n]
        props[n] = attr_schema(types, n, a, with_desc)
        if a.get("requirement") == "required" and not a.get("profile"):
            req.append(n)
    s = {"type": "object", "title": ob.get("caption", name), "x-ocsf-object": name}
    if with_desc and ob.get("description"):
        s["description"] = ob["description"]
    s["properties"] = props
    if req:
        s["required"] = req
    s["additionalProperties"] = True
    allof = constraints_schema(ob.get("constraints"))
    if allof:
        s["allOf"] = allof
    return s


def closure(classes, objects, cls):
    seen, stack = (
        set(),
        [
            a["object_type"]
            for a in classes[cls]["attributes"].values()
            if a.get("type") == "object_t"
        ],
    )
    while stack:
        o = stack.pop()
        if o in seen or o == "object":
            continue
        seen.add(o)
        for a in objects[o]["attributes"].values():
            if a.get("type") == "object_t":
                stack.append(a["object_type"])
    return sorted(seen)


# Objects whose attribute descriptions are kept (the ones a Prowler-like
# Compliance Finding actually fills); others keep captions only, to limit size.
DESCRIBED = {
    "metadata",
    "product",
    "finding_info",
    "compliance",
    "check",
    "remediation",
    "resource_details",
    "cloud",
    "account",
    "organization",
    "group",
    "kb_article",
    "assessment",
    "key_value_object",
}


def main(path):
    with open(path, encoding="utf-8") as fh:
        s = json.load(fh)
    assert s["version"] == "1.5.0", s["version"]
    types, classes, objects = s["types"], s["classes"], s["objects"]
    c = classes[CLASS]
    attrs = c["attributes"]

    props, required = {}, []
    for n in sorted(attrs):
        a = attrs[n]
        props[n] = attr_schema(types, n, a, True)
        if a.get("requirement") == "required" and not a.get("profile"):
            required.append(n)
    # Pin the classification constants of this class.
    props["class_uid"]["const"] = c["uid"]
    props["category_uid"]["const"] = c["category_uid"]

    activity_ids = sorted(int(k) for k in attrs["activity_id"]["enum"])
    type_uid_rules = [
        {
            "if": {"properties": {"activity_id": {"const": aid}}, "required": ["activity_id"]},
            "then": {"properties": {"type_uid": {"const": c["uid"] * 100 + aid}}},
        }
        for aid in activity_ids
    ]
    profile_rules = []
    for n in sorted(attrs):
        a = attrs[n]
        if a.get("profile") and a.get("requirement") == "required":
            profile_rules.append(
                {
                    "$comment": f"Profile '{a['profile']}': '{n}' is required when "
                    f"metadata.profiles contains '{a['profile']}'.",
                    "if": {
                        "properties": {
                            "metadata": {
                                "properties": {
                                    "profiles": {
                                        "type": "array",
                                        "contains": {"const": a["profile"]},
                                    }
                                },
                                "required": ["profiles"],
                            }
                        },
                        "required": ["metadata"],
                    },
                    "then": {"required": [n]},
                }
            )

    defs = {}
    for o in closure(classes, objects, CLASS):
        defs[def_name(o)] = object_schema(types, objects, o, o in DESCRIBED)

    # Opt-in, NOT OCSF-mandated: what a Prowler-like Compliance Finding is
    # expected to carry. Ref-free, so it can be combined with the main schema
    # via {"allOf": [schema, schema["$defs"]["x_prowler_like_expectations"]]}.
    defs["x_prowler_like_expectations"] = {
        "$comment": "NOT part of OCSF 1.5.0 requirements. Opt-in expectations for Prowler-like "
        "output "
        "(these attributes are recommended/optional in OCSF 1.5.0). Ref-free on purpose.",
        "type": "object",
        "required": ["message", "status_id", "status_code", "status_detail", "resources"],
        "properties": {
            "finding_info": {"type": "object", "required": ["uid", "title"]},
            "compliance": {
                "type": "object",
                "required": ["standards", "requirements", "control", "status_id"],
                "properties": {
                    "standards": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                    "requirements": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                },
            },
            "resources": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "object", "required": ["uid", "type"]},
            },
            "cloud": {
                "type": "object",
                "required": ["provider", "region", "account"],
                "properties": {"account": {"type": "object", "required": ["uid"]}},
            },
            "remediation": {"type": "object", "required": ["desc", "references"]},
        },
    }

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:ocsf:schema:1.5.0:class:compliance_finding:jsonschema",
        "title": "OCSF 1.5.0 Compliance Finding (class_uid 2003, category_uid 2 Findings)",
        "description": (
            "JSON Schema (draft 2020-12) for ONE OCSF Compliance Finding event, OCSF schema "
            "version 1.5.0. "
            'Generated from the compiled OCSF 1.5.0 export (version="1.5.0") shipped as '
            "ocsf_json_schema/ocsf/1.5.0.json in the PyPI wheel ocsf-json-schema==1.2.0 "
            "(spot-checked against ocsf/ocsf-lib-py schema_cache/schema-1.5.0.json @ "
            "95f1cc44cd9f44544c322a0308e17a90a124e9be, "
            "the OCSF server export cached by the OCSF project). Cross-checked against the raw "
            "OCSF 1.5.0 source "
            "snapshot bundled in pydantic-ocsf==3.0.0 (ocsf/schemas/v1_5_0.json) and against "
            "ocsf/ocsf-schema source files "
            "events/findings/compliance_finding.json (@133b84ebe6d1 pre-1.5, @efa688b382c3 "
            "post-1.5), "
            "events/findings/finding.json (@ebbface43779), objects/compliance.json "
            "(@ebbface43779, @01d6c7cba03b), "
            "objects/finding_info.json (@ebbface43779), objects/remediation.json (@ebbface43779), "
            "objects/_resource.json (@ebbface43779), objects/cloud.json (@7aabeaa93525), "
            "profiles/cloud.json (@db8667c77d1b, @01d6c7cba03b). The repo index exposes no "
            "release-tagged commit "
            "for 1.5.0, so no single ocsf/ocsf-schema commit is claimed; see ocsf.md. "
            "Inheritance: base_event -> finding -> compliance_finding. Profile-contributed "
            "attributes are included "
            "(cloud, datetime, host, osint, security_control, incident, data_classification, "
            "container, linux/linux_users); "
            "profile-required attributes (cloud, osint) are only required when metadata.profiles "
            "names the profile. "
            "Objects use additionalProperties: true. x-ocsf-* keywords are annotations only."
        ),
        "x-ocsf-version": "1.5.0",
        "x-ocsf-class": {
            "name": CLASS,
            "uid": c["uid"],
            "caption": c["caption"],
            "category_uid": c["category_uid"],
            "category_name": c["category_name"],
            "extends": c["extends"],
            "profiles": c["profiles"],
        },
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": True,
        "allOf": type_uid_rules + profile_rules,
        "$defs": defs,
    }
    json.dump(schema, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
