# Runs first in a scan stage's install phase when the stage uses the scanner toolbox image (TOOLBOX=true, set by
# the stage construct with its `toolbox` prop; the stage construct injects this script only then). The image
# (toolbox/Dockerfile) holds every scanner at the versions the buildspecs pin; this script checks each tool the
# stage pins (a <TOOL>_VERSION or <TOOL>_SHA256 variable of the stage) by running it or comparing its bytes,
# and exports <TOOL>_INSTALLED=<pinned value> for each one that matches, so that the stage's own install
# commands skip it. With the toolbox a build must install nothing (it may have no route to the internet): any
# tool missing or at another version fails the build here, naming the tool, what the image holds and the pin.
set -euo pipefail
if [ "${TOOLBOX:-false}" = "true" ]; then
  toolbox_downloads="${TOOLBOX_DOWNLOADS:-/opt/toolbox/downloads}"
  # The image's tools are the pinned ones: they need not ask the internet for newer versions (and may not reach it).
  export GRYPE_CHECK_FOR_APP_UPDATE=false SEMGREP_ENABLE_VERSION_CHECK=0
  toolbox_problems=()
  # The first x.y.z a command prints (the tools print their version in different sentences).
  first_version() { "$@" 2> /dev/null | grep --only-matching --extended-regexp --max-count 1 '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true; }
  # check <variable prefix> <tool> <pinned version> <version command...>
  check_version() {
    local prefix="$1" tool="$2" pinned="$3" found
    shift 3
    if ! command -v "$1" > /dev/null 2>&1; then
      toolbox_problems+=("${tool} is not in the image (the stage pins ${pinned})")
      return
    fi
    found="$(first_version "$@")"
    if [ "${found}" = "${pinned}" ]; then
      export "${prefix}_INSTALLED=${pinned}"
      echo "toolbox: ${tool} ${found}"
    else
      toolbox_problems+=("${tool} ${found:-of unknown version} is in the image, the stage pins ${pinned}")
    fi
  }
  # git-secrets prints no version and the signer plugin's version is not pinned: the image keeps the verified
  # release archive, whose sha256 must be the stage's pin and whose file must be byte for byte the one installed.
  # check_archive <variable prefix> <tool> <pinned sha256> <archive> <installed file> <function printing the file of an archive>
  check_archive() {
    local prefix="$1" tool="$2" pinned="$3" archive="$4" installed="$5" extract="$6"
    if [ ! -f "${archive}" ] || ! printf '%s  %s\n' "${pinned}" "${archive}" | sha256sum --check --strict --status -; then
      toolbox_problems+=("${tool}: the image has no release archive ${archive} with the pinned sha256 ${pinned}")
    elif [ ! -f "${installed}" ] || ! "${extract}" "${archive}" | cmp --silent - "${installed}"; then
      toolbox_problems+=("${tool}: ${installed} is not the file of the pinned release archive")
    else
      export "${prefix}_INSTALLED=${pinned}"
      echo "toolbox: ${tool} (sha256 ${pinned})"
    fi
  }
  if [ -n "${GIT_SECRETS_VERSION:-}" ]; then
    git_secrets_file() { tar --extract --gzip --to-stdout --file "$1" "git-secrets-${GIT_SECRETS_VERSION}/git-secrets"; }
    check_archive GIT_SECRETS git-secrets "${GIT_SECRETS_SHA256}" "${toolbox_downloads}/git-secrets-${GIT_SECRETS_VERSION}.tar.gz" \
      "$(command -v git-secrets || echo /usr/local/bin/git-secrets)" git_secrets_file
  fi
  if [ -n "${GITLEAKS_VERSION:-}" ]; then check_version GITLEAKS gitleaks "${GITLEAKS_VERSION}" gitleaks version; fi
  if [ -n "${HADOLINT_VERSION:-}" ]; then check_version HADOLINT hadolint "${HADOLINT_VERSION}" hadolint --version; fi
  if [ -n "${SEMGREP_VERSION:-}" ]; then check_version SEMGREP semgrep "${SEMGREP_VERSION}" semgrep --version; fi
  if [ -n "${BANDIT_VERSION:-}" ]; then check_version BANDIT bandit "${BANDIT_VERSION}" bandit --version; fi
  if [ -n "${SNYK_VERSION:-}" ]; then check_version SNYK snyk "${SNYK_VERSION}" snyk --version; fi
  if [ -n "${GRYPE_VERSION:-}" ]; then check_version GRYPE grype "${GRYPE_VERSION}" grype version; fi
  if [ -n "${TRIVY_VERSION:-}" ]; then check_version TRIVY trivy "${TRIVY_VERSION}" trivy --version; fi
  if [ -n "${CRANE_VERSION:-}" ]; then check_version CRANE crane "${CRANE_VERSION}" crane version; fi
  if [ -n "${ORAS_VERSION:-}" ]; then check_version ORAS oras "${ORAS_VERSION}" oras version; fi
  if [ -n "${NOTATION_VERSION:-}" ]; then check_version NOTATION notation "${NOTATION_VERSION}" notation version; fi
  if [ -n "${SIGNER_PLUGIN_SHA256:-}" ]; then
    signer_plugin_file() { unzip -p "$1" notation-com.amazonaws.signer.notation.plugin; }
    check_archive SIGNER_PLUGIN "AWS Signer plugin" "${SIGNER_PLUGIN_SHA256}" "${toolbox_downloads}/notation-aws-signer-plugin.zip" \
      "${XDG_CONFIG_HOME:-${HOME}/.config}/notation/plugins/com.amazonaws.signer.notation.plugin/notation-com.amazonaws.signer.notation.plugin" \
      signer_plugin_file
  fi
  if [ -n "${ZAP_VERSION:-}" ]; then
    # ZAP's version is its jar's name (zap.sh -version would start a JVM).
    if [ -f "/opt/zap/zap-${ZAP_VERSION}.jar" ]; then
      export "ZAP_INSTALLED=${ZAP_VERSION}"
      echo "toolbox: ZAP ${ZAP_VERSION}"
    else
      toolbox_problems+=("ZAP ${ZAP_VERSION} is not in the image (/opt/zap/zap-${ZAP_VERSION}.jar)")
    fi
  fi
  if [ "${MALWARE_SCAN:-false}" = "true" ]; then
    # ClamAV comes from the image's signed Debian repository (not pinned by the buildspec either).
    if command -v clamscan > /dev/null 2>&1; then
      CLAMAV_INSTALLED="$(first_version clamscan --version)"
      export CLAMAV_INSTALLED
      echo "toolbox: ClamAV ${CLAMAV_INSTALLED}"
    else
      toolbox_problems+=("clamscan is not in the image")
    fi
  fi
  if [ "${#toolbox_problems[@]}" -gt 0 ]; then
    for problem in "${toolbox_problems[@]}"; do echo "toolbox: ${problem}" >&2; done
    echo "toolbox: the image ${TOOLBOX_IMAGE:-} does not hold this stage's pinned tools: rebuild it from toolbox/Dockerfile of the same release" >&2
    exit 1
  fi
  # The image stage builds with Docker: a custom image does not start the daemon by itself (privileged mode only
  # allows it to run).
  if [ "${TOOLBOX_DOCKERD:-false}" = "true" ] && ! docker info > /dev/null 2>&1; then
    nohup dockerd --host=unix:///var/run/docker.sock > /tmp/dockerd.log 2>&1 &
    timeout 60 sh -c 'until docker info > /dev/null 2>&1; do sleep 1; done' || { cat /tmp/dockerd.log >&2; echo "toolbox: dockerd did not start" >&2; exit 1; }
  fi
fi
