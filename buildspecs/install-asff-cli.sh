# Installs the asff CLI (converter and gate) at the start of every scan stage's install phase; the stage
# construct puts this script first in the buildspec it synthesizes. No package registry is involved by default:
#   ASFF_CLI_SOURCE=asset (default): the single-file bundle the factory's CDK app deployed as a file asset,
#     refused unless its sha256 equals the one fixed at synth (ASFF_CLI_SHA256);
#   ASFF_CLI_SOURCE=codeartifact: the published package from the team's CodeArtifact npm repository, refused
#     unless the tarball's npm integrity equals ASFF_CLI_INTEGRITY; its self-contained bundle (dist/cli/asff.js)
#     is installed, so none of its dependencies is resolved from the registry.
# ASFF_BIN_DIR (default /usr/local/bin) is where `asff` lands. An `asff` already there whose sha256 is the one fixed at
# synth (the scanner toolbox image carries it) is kept and nothing is downloaded.
set -euo pipefail
asff_bin_dir="${ASFF_BIN_DIR:-/usr/local/bin}"
if [ "${ASFF_CLI_SOURCE:-asset}" = "asset" ] && [ -f "${asff_bin_dir}/asff" ] \
  && printf '%s  %s\n' "${ASFF_CLI_SHA256}" "${asff_bin_dir}/asff" | sha256sum --check --strict --status -; then
  echo "asff CLI $("${asff_bin_dir}/asff" --version) is in the image with the sha256 fixed at synth: nothing downloaded"
else
  asff_download="$(mktemp -d)"
  case "${ASFF_CLI_SOURCE:-asset}" in
    asset)
      aws s3 cp "${ASFF_CLI_S3_URI}" "${asff_download}/asff.js" --only-show-errors
      if ! printf '%s  %s\n' "${ASFF_CLI_SHA256}" "${asff_download}/asff.js" | sha256sum --check --strict --status -; then
        echo "asff CLI: ${ASFF_CLI_S3_URI} does not match the sha256 fixed at synth (${ASFF_CLI_SHA256}); not running it" >&2
        exit 1
      fi
      ;;
    codeartifact)
      # The token goes to ~/.npmrc (never to the log or the environment of later commands).
      aws codeartifact login --tool npm --domain "${ASFF_CLI_CODEARTIFACT_DOMAIN}" \
        --domain-owner "${ASFF_CLI_CODEARTIFACT_OWNER}" --repository "${ASFF_CLI_CODEARTIFACT_REPOSITORY}" > /dev/null
      tarball="$(cd "${asff_download}" && npm pack --silent --ignore-scripts "@devsecops-factory/asff-parsers@${ASFF_CLI_VERSION}")"
      integrity="sha512-$(openssl dgst -sha512 -binary "${asff_download}/${tarball}" | base64 -w 0)"
      if [ "${integrity}" != "${ASFF_CLI_INTEGRITY}" ]; then
        echo "asff CLI: @devsecops-factory/asff-parsers@${ASFF_CLI_VERSION} from CodeArtifact has integrity ${integrity}, not the ${ASFF_CLI_INTEGRITY} fixed at synth; not running it" >&2
        exit 1
      fi
      tar -xzf "${asff_download}/${tarball}" -C "${asff_download}" package/dist/cli/asff.js
      mv "${asff_download}/package/dist/cli/asff.js" "${asff_download}/asff.js"
      ;;
    *) echo "asff CLI: unknown ASFF_CLI_SOURCE '${ASFF_CLI_SOURCE}' (asset or codeartifact)" >&2; exit 2 ;;
  esac
  install -m 0755 "${asff_download}/asff.js" "${asff_bin_dir}/asff"
  rm -rf "${asff_download}"
  echo "asff CLI $("${asff_bin_dir}/asff" --version) installed from ${ASFF_CLI_SOURCE:-asset}"
fi
