#!/usr/bin/env python3
"""Checks the CI files this repository ships, for itself and for users.

- Every YAML file and every ```yaml block of the docs parses.
- actionlint checks the workflows, the GitHub workflows in the docs, and the
  composite action's steps (wrapped in a workflow_call workflow whose inputs
  are the action's, so `inputs.*` and the shell scripts are checked too).
- action.yml and action/run.sh agree: every input the action passes is one it
  declares, every INPUT_* the script reads is passed, every output the action
  declares is written by the script.

Needs PyYAML, actionlint on PATH (and shellcheck for the scripts).
"""

import glob
import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
problems = []


def path(*parts):
    return os.path.join(ROOT, *parts)


def yaml_blocks(markdown_file):
    """The ```yaml blocks of a Markdown file, with their line numbers."""
    blocks, current, start = [], None, 0
    with open(markdown_file, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if current is None and line.strip() in ("```yaml", "```yml"):
                current, start = [], number + 1
            elif current is not None and line.strip() == "```":
                blocks.append((start, "".join(current)))
                current = None
            elif current is not None:
                current.append(line)
    return blocks


def actionlint(text, name):
    result = subprocess.run(
        ["actionlint", "-no-color", "-oneline", "-stdin-filename", name, "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        problems.append(f"actionlint {name}:\n{result.stdout}{result.stderr}")


# YAML files: they parse.
files = sorted(
    glob.glob(path(".github", "workflows", "*.yml"))
    + glob.glob(path("ci", "**", "*.yml"), recursive=True)
    + [path("action.yml")]
)
documents = {}
for file in files:
    try:
        with open(file, encoding="utf-8") as f:
            documents[file] = yaml.safe_load(f)
    except yaml.YAMLError as e:
        problems.append(f"{os.path.relpath(file, ROOT)} does not parse: {e}")

# The docs' YAML: it parses; GitHub workflows among it pass actionlint.
for doc in [path("docs", "ci.md"), path("README.md")]:
    for line, text in yaml_blocks(doc):
        name = f"{os.path.relpath(doc, ROOT)}:{line}"
        try:
            block = yaml.safe_load(text)
        except yaml.YAMLError as e:
            problems.append(f"{name}: the yaml block does not parse: {e}")
            continue
        # PyYAML reads the key `on` as True.
        if isinstance(block, dict) and "jobs" in block and (True in block or "on" in block):
            actionlint(text, name)

# The repository's workflows.
workflows = sorted(glob.glob(path(".github", "workflows", "*.yml")))
if workflows:
    result = subprocess.run(
        ["actionlint", "-no-color", "-oneline", *workflows],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        problems.append(f"actionlint:\n{result.stdout}{result.stderr}")

# The composite action: its steps as a reusable workflow's job.
action = documents.get(path("action.yml")) or {}
inputs = action.get("inputs", {})
outputs = action.get("outputs", {})
runs = action.get("runs", {})
if runs.get("using") != "composite":
    problems.append("action.yml: runs.using is not `composite`")
wrapped = {
    "on": {
        "workflow_call": {
            "inputs": {
                name: {
                    "type": "string",
                    "required": bool(spec.get("required", False)),
                    **({"default": spec["default"]} if "default" in spec else {}),
                }
                for name, spec in inputs.items()
            }
        }
    },
    "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": runs.get("steps", [])}},
}
actionlint(json.dumps(wrapped, indent=2), "action.yml (steps)")

# action.yml and action/run.sh agree.
with open(path("action", "run.sh"), encoding="utf-8") as f:
    script = f.read()
passed = {}
for step in runs.get("steps", []):
    passed.update(step.get("env", {}))
for variable, value in passed.items():
    for used in re.findall(r"inputs\.([A-Za-z0-9_-]+)", str(value)):
        if used not in inputs:
            problems.append(f"action.yml passes `inputs.{used}`, which it does not declare")
for name in inputs:
    variable = "INPUT_" + name.upper().replace("-", "_")
    if variable not in passed:
        problems.append(f"action.yml declares the input `{name}` but does not pass {variable}")
for variable in sorted(set(re.findall(r"\bINPUT_[A-Z_]+\b", script))):
    if variable not in passed:
        problems.append(f"action/run.sh reads {variable}, which action.yml does not pass")
for name, spec in outputs.items():
    if f"steps.release.outputs.{name} " not in f"{spec.get('value', '')} ".replace("}}", " }}"):
        problems.append(f"action.yml: output `{name}` is not `steps.release.outputs.{name}`")
    if not re.search(rf'echo "{re.escape(name)}(=|<<)', script):
        problems.append(f"action/run.sh never writes the output `{name}`")

# The script itself.
result = subprocess.run(["shellcheck", path("action", "run.sh")], capture_output=True, text=True)
if result.returncode != 0:
    problems.append(f"shellcheck action/run.sh:\n{result.stdout}{result.stderr}")

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"CI files: {len(files)} YAML files, the docs' YAML blocks and action/run.sh are fine")
