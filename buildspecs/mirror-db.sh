# Runs early in a scan stage's install phase when the factory mirrors the scanners' vulnerability databases
# (the stage's `databaseMirror` prop; the stage construct injects this script only then). The mirror job
# (DatabaseMirror, buildspecs/mirror-databases.yml) keeps, per database, an archive and a manifest under
# DB_MIRROR_URI (s3://<bucket>/<mirror prefix>): <database>/manifest.json names the archive, its sha256 and when
# the publisher built the database. For each database of DB_MIRROR_DATABASES ("<name>:<max age in hours>" ...),
# this script reads the manifest, refuses a database older than its limit or an archive whose sha256 differs,
# restores it where the scanner reads it and turns the scanner's own updates from the internet off:
#   grype      -> GRYPE_DB_CACHE_DIR, GRYPE_DB_AUTO_UPDATE=false
#   trivy      -> TRIVY_CACHE_DIR (db/), trivy-java -> the same cache (java-db/); Trivy never updates
#                 (TRIVY_SKIP_DB_UPDATE, TRIVY_SKIP_JAVA_DB_UPDATE, TRIVY_OFFLINE_SCAN) once the mirror is on
#   clamav     -> CLAMAV_DATABASE_DIR (clamscan --database; freshclam is not run)
# Each database's age goes to CloudWatch (DB_MIRROR_METRIC_NAMESPACE, DatabaseAgeHours by Database) before the
# verdict, so that a stale mirror shows on the alarm even when the stages stop at it.
set -euo pipefail
if [ -n "${DB_MIRROR_URI:-}" ]; then
  mirror_dir="${DB_MIRROR_DIR:-/tmp/db-mirror}"
  mkdir -p "${mirror_dir}"
  mirror_fail() { echo "database mirror: $*" >&2; exit 1; }
  now="$(date -u +%s)"
  # Trivy must not reach the internet with the mirror on, whether or not this stage restores its databases
  # (the SBOM is written by Trivy in every image build).
  export TRIVY_SKIP_DB_UPDATE=true TRIVY_SKIP_JAVA_DB_UPDATE=true TRIVY_OFFLINE_SCAN=true
  export TRIVY_CACHE_DIR="${mirror_dir}/trivy" GRYPE_DB_AUTO_UPDATE=false GRYPE_CHECK_FOR_APP_UPDATE=false
  for entry in ${DB_MIRROR_DATABASES:-}; do
    database="${entry%%:*}"
    max_hours="${entry#*:}"
    case "${database}" in grype|trivy|trivy-java|clamav) ;; *) mirror_fail "unknown database '${database}' in DB_MIRROR_DATABASES" ;; esac
    [[ "${max_hours}" =~ ^[0-9]+$ ]] || mirror_fail "the limit of ${database} must be whole hours, got '${max_hours}'"
    manifest="${mirror_dir}/${database}.manifest.json"
    if ! aws s3 cp "${DB_MIRROR_URI}${database}/manifest.json" "${manifest}" --only-show-errors 2> /dev/null; then
      mirror_fail "no ${database} database in the mirror (${DB_MIRROR_URI}${database}/manifest.json): run the mirror job first"
    fi
    built="$(jq --raw-output '.built // empty' "${manifest}")"
    object="$(jq --raw-output '.object // empty' "${manifest}")"
    sha256="$(jq --raw-output '.sha256 // empty' "${manifest}")"
    built_at="$(date -u -d "${built}" +%s 2> /dev/null)" || mirror_fail "the ${database} manifest has no valid build time ('${built}')"
    [[ "${sha256}" =~ ^[0-9a-f]{64}$ ]] || mirror_fail "the ${database} manifest has no sha256"
    [[ "${object}" =~ ^${database}/[A-Za-z0-9._-]+$ ]] || mirror_fail "the ${database} manifest names an object outside ${database}/: '${object}'"
    age_hours=$(( (now - built_at) / 3600 ))
    echo "database mirror: ${database} built ${built} (${age_hours} h old, limit ${max_hours} h)"
    # Best effort, and quick to give up: a network without a CloudWatch (monitoring) endpoint must not hold the build.
    aws cloudwatch put-metric-data --namespace "${DB_MIRROR_METRIC_NAMESPACE:-DevSecOpsFactory/DatabaseMirror}" \
      --metric-name DatabaseAgeHours --dimensions "Database=${database}" --value "${age_hours}" --unit None \
      --cli-connect-timeout 10 --cli-read-timeout 20 \
      || echo "database mirror: the age of ${database} could not be sent to CloudWatch" >&2
    if [ "${age_hours}" -gt "${max_hours}" ]; then
      mirror_fail "the ${database} database is ${age_hours} h old (built ${built}), older than its ${max_hours} h limit: the mirror job has not refreshed it"
    fi
    archive="${mirror_dir}/${object##*/}"
    aws s3 cp "${DB_MIRROR_URI}${object}" "${archive}" --only-show-errors 2> /dev/null \
      || mirror_fail "the ${database} manifest names ${DB_MIRROR_URI}${object}, which cannot be read"
    printf '%s  %s\n' "${sha256}" "${archive}" | sha256sum --check --strict --status - \
      || mirror_fail "${DB_MIRROR_URI}${object} does not match the sha256 of its manifest (${sha256}); not using it"
    case "${database}" in
      grype)
        export GRYPE_DB_CACHE_DIR="${mirror_dir}/grype"
        mkdir -p "${GRYPE_DB_CACHE_DIR}"
        tar -xzf "${archive}" -C "${GRYPE_DB_CACHE_DIR}"
        ;;
      trivy|trivy-java)
        mkdir -p "${TRIVY_CACHE_DIR}"
        tar -xzf "${archive}" -C "${TRIVY_CACHE_DIR}"
        ;;
      clamav)
        export CLAMAV_DATABASE_DIR="${mirror_dir}/clamav"
        mkdir -p "${CLAMAV_DATABASE_DIR}"
        tar -xzf "${archive}" -C "${CLAMAV_DATABASE_DIR}"
        ;;
    esac
    rm -f "${archive}"
  done
fi
