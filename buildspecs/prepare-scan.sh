# Runs first in every scan stage's build phase; the stage construct puts it there (one copy for all stages).
# The commit being scanned must not decide how it is judged:
#  1. the gate's policy is the factory's (FACTORY_POLICY_B64, set on the project at synth); the repository's own
#     policy file (POLICY_FILE) may only tighten it and propose suppressions within its rules (asff gate);
#  2. scanner configuration files in the repository that could switch off or narrow the scan (an allow-list
#     for git-secrets, ignore files, scanner settings) are removed before any scanner runs, unless the factory
#     allows them (ALLOWED_SCANNER_CONFIGS, space-separated paths).
set -euo pipefail
FACTORY_POLICY_FILE="$(mktemp -d)/factory-policy.yml"
printf '%s' "${FACTORY_POLICY_B64:?the stage construct sets FACTORY_POLICY_B64}" | base64 --decode > "${FACTORY_POLICY_FILE}"
export FACTORY_POLICY_FILE
allowed=" ${ALLOWED_SCANNER_CONFIGS:-} "
for config in .gitallowed .gitleaks.toml .gitleaksignore .trivyignore .trivyignore.yaml trivy.yaml .grype.yaml .grype \
  .hadolint.yaml .hadolint.yml .semgrepignore .snyk .bandit .checkov.yaml .checkov.yml .zap; do
  if [ -e "${config}" ] || [ -L "${config}" ]; then
    if [[ "${allowed}" == *" ${config} "* ]]; then
      echo "Keeping the repository's ${config}: the factory allows it"
    else
      rm -rf -- "${config}"
      echo "Removed the repository's ${config}: scanner configuration comes from the factory (allowedScannerConfigs)"
    fi
  fi
done
