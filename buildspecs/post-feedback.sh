#!/usr/bin/env bash
# Posts a pull-request build's gate verdict back to the source provider: a commit status on the built commit
# and, where the provider can find the pull request from the commit, the gate's Markdown summary as one comment
# per stage (updated on the next push rather than added again). The scan stages of a pull-request build
# (ScanStageProps.pullRequest) install it as `post-feedback` and call it after their gates:
#
#   post-feedback <gate exit status> <summary.md>...
#
# FEEDBACK_PROVIDER  github | gitlab | bitbucket (Bitbucket: commit status only)
# FEEDBACK_API_URL   the provider's API root (https://api.github.com, https://gitlab.com/api/v4,
#                    https://api.bitbucket.org/2.0); plain http only to this machine (a test's fake API)
# FEEDBACK_REPOSITORY  owner/name (GitLab: the project's full path)
# FEEDBACK_TOKEN     the API token, from Secrets Manager (CodeBuild resolves it and masks it in the log). It
#                    only ever goes to a 0600 header file curl reads: never an argument, a URL or a log line.
# STAGE_NAME, CODEBUILD_RESOLVED_SOURCE_VERSION, CODEBUILD_BUILD_URL: set by CodeBuild and the stage.
# A failure here is reported by its exit status; the caller keeps the gate's verdict either way.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: post-feedback <gate exit status> <summary.md>..." >&2
  exit 2
fi
gate_status="$1"
shift
provider="${FEEDBACK_PROVIDER:-}"
api_url="${FEEDBACK_API_URL%/}"
repository="${FEEDBACK_REPOSITORY:-}"
commit="${CODEBUILD_RESOLVED_SOURCE_VERSION:-}"
context="devsecops-factory/${STAGE_NAME:?STAGE_NAME is not set}"
build_url="${CODEBUILD_BUILD_URL:-}"

case "${provider}" in github|gitlab|bitbucket) ;; *) echo "post-feedback: unknown FEEDBACK_PROVIDER '${provider}' (github, gitlab or bitbucket)" >&2; exit 2 ;; esac
if ! [[ "${commit}" =~ ^[0-9a-f]{40}$ ]]; then
  echo "post-feedback: CODEBUILD_RESOLVED_SOURCE_VERSION '${commit}' is not a commit id" >&2
  exit 2
fi
if ! [[ "${repository}" =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$ ]] || [[ "/${repository}/" =~ /\.\.?/ ]]; then
  echo "post-feedback: FEEDBACK_REPOSITORY '${repository}' is not owner/name" >&2
  exit 2
fi
# The token goes to whatever the URL names: only HTTPS, or plain HTTP to this machine (a test's fake API).
proto=(--proto '=https')
case "${api_url}" in
  https://*) ;;
  http://127.0.0.1:*|http://localhost:*) proto=(--proto '=http') ;;
  *) echo "post-feedback: FEEDBACK_API_URL must be an https:// URL" >&2; exit 2 ;;
esac
# A token with white space would let a header be injected; say so without printing it.
if [ -z "${FEEDBACK_TOKEN:-}" ] || [[ "${FEEDBACK_TOKEN}" =~ [[:space:]] ]]; then
  echo "post-feedback: FEEDBACK_TOKEN is empty or holds white space" >&2
  exit 2
fi

work="$(umask 077 && mktemp -d)"
trap 'rm -rf "${work}"' EXIT
case "${provider}" in
  gitlab) printf 'PRIVATE-TOKEN: %s\n' "${FEEDBACK_TOKEN}" > "${work}/auth" ;;
  *) printf 'Authorization: Bearer %s\n' "${FEEDBACK_TOKEN}" > "${work}/auth" ;;
esac

# api METHOD PATH [JSON body file]: the response body on standard output; fails on an HTTP error status.
# No --location: a redirect would carry the token to another host.
api() {
  local request=(curl --silent --show-error --fail --max-time 30 "${proto[@]}" --request "$1"
    --header @"${work}/auth" --header 'Accept: application/json')
  if [ "$#" -ge 3 ]; then request+=(--header 'Content-Type: application/json' --data-binary @"$3"); fi
  "${request[@]}" "${api_url}$2"
}

case "${gate_status}" in
  0) verdict=passed; description="Security gate passed" ;;
  1) verdict=failed; description="Security gate failed: blocking findings" ;;
  *) verdict=error; description="Security gate could not judge the findings (status ${gate_status})" ;;
esac

# The comment: a marker naming the stage (to find it again), then each tool's summary, within the providers'
# comment size limits (GitHub 65,536 characters).
marker="<!-- ${context} -->"
{
  printf '%s\n' "${marker}"
  for summary in "$@"; do
    if [ -f "${summary}" ]; then cat "${summary}"; printf '\n'; fi
  done
  printf '\n%s\n' "${description}${build_url:+ ([build log](${build_url}))}"
} | head -c 60000 > "${work}/comment.md"
jq --null-input --rawfile body "${work}/comment.md" '{body: $body}' > "${work}/comment.json"

# upsert_comment LIST_PATH UPDATE_METHOD UPDATE_PATH_PREFIX CREATE_PATH: updates this stage's comment (the
# newest carrying the marker among the first 100) or creates it.
upsert_comment() {
  local existing
  existing="$(api GET "$1" | jq --raw-output --arg marker "${marker}" '[.[] | select((.body // "") | startswith($marker))] | last | .id // empty')"
  if [ -n "${existing}" ]; then
    api "$2" "$3${existing}" "${work}/comment.json" > /dev/null
  else
    api POST "$4" "${work}/comment.json" > /dev/null
  fi
}

case "${provider}" in
  github)
    state="$(case "${verdict}" in passed) echo success ;; failed) echo failure ;; *) echo error ;; esac)"
    jq --null-input --arg state "${state}" --arg context "${context}" --arg description "${description}" --arg url "${build_url}" \
      '{state: $state, context: $context, description: $description} + (if $url == "" then {} else {target_url: $url} end)' > "${work}/status.json"
    api POST "/repos/${repository}/statuses/${commit}" "${work}/status.json" > /dev/null
    mapfile -t pulls < <(api GET "/repos/${repository}/commits/${commit}/pulls" | jq --raw-output '.[] | select(.state == "open") | .number')
    for number in "${pulls[@]}"; do
      upsert_comment "/repos/${repository}/issues/${number}/comments?per_page=100" PATCH "/repos/${repository}/issues/comments/" \
        "/repos/${repository}/issues/${number}/comments"
    done
    ;;
  gitlab)
    project="${repository//\//%2F}"
    state="$(case "${verdict}" in passed) echo success ;; *) echo failed ;; esac)"
    jq --null-input --arg state "${state}" --arg name "${context}" --arg description "${description}" --arg url "${build_url}" \
      '{state: $state, name: $name, description: $description} + (if $url == "" then {} else {target_url: $url} end)' > "${work}/status.json"
    api POST "/projects/${project}/statuses/${commit}" "${work}/status.json" > /dev/null
    mapfile -t requests < <(api GET "/projects/${project}/repository/commits/${commit}/merge_requests" | jq --raw-output '.[] | select(.state == "opened") | .iid')
    for iid in "${requests[@]}"; do
      upsert_comment "/projects/${project}/merge_requests/${iid}/notes?per_page=100&sort=asc" PUT "/projects/${project}/merge_requests/${iid}/notes/" \
        "/projects/${project}/merge_requests/${iid}/notes"
    done
    ;;
  bitbucket)
    # Bitbucket requires a link; its key is at most 40 characters.
    state="$(case "${verdict}" in passed) echo SUCCESSFUL ;; *) echo FAILED ;; esac)"
    jq --null-input --arg state "${state}" --arg key "${context:0:40}" --arg name "${context}" --arg description "${description}" \
      --arg url "${build_url:-${api_url}}" '{state: $state, key: $key, name: $name, description: $description, url: $url}' > "${work}/status.json"
    api POST "/repositories/${repository}/commit/${commit}/statuses/build" "${work}/status.json" > /dev/null
    ;;
esac
echo "post-feedback: ${provider} commit status '${verdict}' for ${context} on ${commit}"
