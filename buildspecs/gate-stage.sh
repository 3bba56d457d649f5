#!/usr/bin/env bash
# Judges a scan stage once, over every tool's findings together, so that the same vulnerability reported by
# several tools (Grype, Trivy and Snyk; ECR and Inspector) counts once, at its highest severity. Every scan
# stage installs it as `gate-stage` (src/private/buildspec.ts) and calls it after converting its reports:
#
#   gate-stage
#
# reports/manifest.tsv   one line per tool: <tool> TAB <report>; the converted findings are reports/<tool>.asff.json
# STAGE_NAME             the policy stage (the stage's section of the factory's policy)
# FACTORY_POLICY_FILE    the factory's policy; it judges
# POLICY_FILE            the repository's own policy file, when present: it may only tighten (--repository-policy)
# BASELINE_BRANCH        set in pull-request builds: findings are compared with the default branch's, per tool,
#                        read from Security Hub (scope <SCOPE_REPOSITORY>/<BASELINE_BRANCH>/<STAGE_NAME>/<tool>)
# FEEDBACK_PROVIDER      set in pull-request builds that post their verdict back (post-feedback)
#
# Writes reports/junit-gate.xml (the stage's CodeBuild test report) and reports/summary.md, and exits with the
# gate's status: 0 passed, 1 a blocking finding, 2 bad input.
set -euo pipefail

manifest=reports/manifest.tsv
[ -s "${manifest}" ] || { echo "gate-stage: ${manifest} is missing or empty: no tool reported" >&2; exit 2; }
inputs=()
baseline=()
while IFS=$'\t' read -r tool _ <&3; do
  [[ "${tool}" =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "gate-stage: ${manifest}: '${tool}' is not a tool id" >&2; exit 2; }
  inputs+=(--input "reports/${tool}.asff.json")
  # In gate mode new, only what the change adds fails a pull request: the default branch's findings of the same
  # repository, stage and tool (their scopes in Security Hub) are the baseline.
  if [ -n "${BASELINE_BRANCH:-}" ]; then
    baseline+=(--baseline-scope "${SCOPE_REPOSITORY}/${BASELINE_BRANCH}/${STAGE_NAME}/${tool}")
  fi
done 3< "${manifest}"
if [ "${#baseline[@]}" -gt 0 ]; then
  IFS=: read -r _ _ _ region _ <<< "${CODEBUILD_BUILD_ARN}"
  baseline+=(--region "${region}")
fi
repository_policy=()
if [ -f "${POLICY_FILE:-}" ]; then repository_policy=(--repository-policy "${POLICY_FILE}"); fi

status=0
asff gate "${inputs[@]}" --policy "${FACTORY_POLICY_FILE}" "${repository_policy[@]}" --stage "${STAGE_NAME}" \
  "${baseline[@]}" --junit reports/junit-gate.xml --markdown reports/summary.md || status=$?

if [ -n "${FEEDBACK_PROVIDER:-}" ]; then
  # The summary goes back to the pull request; whether the provider takes it or not, the verdict stands.
  posted=0
  post-feedback "${status}" reports/summary.md || posted=$?
  if [ "${posted}" -ne 0 ]; then
    echo "The gate summary could not be posted to the pull request (status ${posted}); the gate's verdict stands." >&2
  fi
fi
if [ "${status}" -ne 0 ]; then
  echo "Stage ${STAGE_NAME} failed its gate (status ${status}); see the JUnit report and Security Hub." >&2
fi
exit "${status}"
