# Runs first in every scan stage's build phase; the stage construct puts it there (one copy for all stages).
# The commit being scanned must not decide how it is judged:
#  1. the gate's policy is the factory's (FACTORY_POLICY_B64, set on the project at synth); the repository's own
#     policy file (POLICY_FILE) may only tighten it and propose suppressions within its rules (asff gate);
#  2. scanner configuration files in the repository that could switch off or narrow the scan (an allow-list
#     for git-secrets, ignore files, scanner settings) are removed before any scanner runs, unless the factory
#     allows them (ALLOWED_SCANNER_CONFIGS, space-separated paths), and one it allows must be a file of the
#     checkout, not a symlink to something else;
#  3. the stage writes its reports under reports/: a checkout that already has a reports path could redirect those
#     writes (a committed symlink reports/git-secrets.raw -> /dev/null empties the report, and the gate passes), so
#     the stage stops;
#  4. the repository's policy file, when present, must be a regular file of the checkout: a symlink could make the
#     stage upload another file (/proc/self/environ holds the build's secrets) as the policy;
#  5. suppression comments in the code (# nosemgrep, # nosec, # hadolint ignore=) are the commit's own say: the
#     stage exports IN_SOURCE_SUPPRESSIONS, the policy's gate.inSourceSuppressions as the gate will apply it (asff
#     policy: the factory's, which the repository's file may only tighten), and with `ignore` (the default) the
#     scanners run with their flags that disregard such comments.
set -euo pipefail
refuse() { echo "The repository is not scanned: $*" >&2; exit 2; }
if [ -e reports ] || [ -L reports ]; then
  refuse "it contains 'reports', where the scan stage writes its reports (rename it in the repository)"
fi
if [ -L "${POLICY_FILE:-}" ] || { [ -e "${POLICY_FILE:-}" ] && [ ! -f "${POLICY_FILE:-}" ]; }; then
  refuse "its policy file ${POLICY_FILE} is a symlink or not a regular file"
fi
FACTORY_POLICY_FILE="$(mktemp -d)/factory-policy.yml"
printf '%s' "${FACTORY_POLICY_B64:?the stage construct sets FACTORY_POLICY_B64}" | base64 --decode > "${FACTORY_POLICY_FILE}"
export FACTORY_POLICY_FILE
repository_policy=()
if [ -f "${POLICY_FILE:-}" ]; then repository_policy=(--repository-policy "${POLICY_FILE}"); fi
if ! IN_SOURCE_SUPPRESSIONS="$(asff policy --policy "${FACTORY_POLICY_FILE}" "${repository_policy[@]}" --get gate.inSourceSuppressions)"; then
  # The gate reports the policy problem after the scan; until then the scanners take the strict setting.
  IN_SOURCE_SUPPRESSIONS=ignore
  echo "The policy could not be read (the gate will say why): the scanners disregard in-source suppressions" >&2
fi
export IN_SOURCE_SUPPRESSIONS
echo "In-source suppressions (gate.inSourceSuppressions): ${IN_SOURCE_SUPPRESSIONS}"
allowed=" ${ALLOWED_SCANNER_CONFIGS:-} "
for config in .gitallowed .gitleaks.toml .gitleaksignore .trivyignore .trivyignore.yaml trivy.yaml .grype.yaml .grype \
  .hadolint.yaml .hadolint.yml .semgrepignore .snyk .bandit .checkov.yaml .checkov.yml .zap; do
  if [ -e "${config}" ] || [ -L "${config}" ]; then
    if [[ "${allowed}" == *" ${config} "* ]]; then
      [ ! -L "${config}" ] || refuse "its ${config} is a symlink; the factory allows only the repository's own file"
      echo "Keeping the repository's ${config}: the factory allows it"
    else
      rm -rf -- "${config}"
      echo "Removed the repository's ${config}: scanner configuration comes from the factory (allowedScannerConfigs)"
    fi
  fi
done
