#!/usr/bin/env bash
# Renders the Helm chart (defaults, and the Temporal Cloud values CI keeps) with
# `helm template`, and validates every manifest against the Kubernetes JSON
# schemas with kubeconform, strictly. Tools come from the package registries:
# helm and kubeconform from the Go module proxy (`go install`), the schemas from
# PyPI (`kubernetes-validate` ships them; kubeconform reads a local copy).
set -euo pipefail
cd "$(dirname "$0")/../.."

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
SCHEMAS_VERSION=1.37.0
KUBE_VERSIONS=(1.31.0 1.34.0)
bin="$(go env GOPATH)/bin"
tools=.tools/kubernetes

[ -x "$bin/helm" ] || go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
[ -x "$bin/kubeconform" ] || go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
if [ ! -d "$tools/kubernetes_validate" ]; then
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --target "$tools" "kubernetes-validate==$SCHEMAS_VERSION"
fi

chart=deploy/helm/order-engine
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin/helm" lint "$chart" --strict --values deploy/helm/ci-values-temporal-cloud.yaml

for kube in "${KUBE_VERSIONS[@]}"; do
  # kubernetes-validate's schemas name their definitions by an absolute URL; kubeconform resolves
  # them as files once the ids are dropped and the references made relative.
  schemas="$tools/kubeconform-schemas/v$kube"
  if [ ! -d "$schemas" ]; then
    python3 - "$tools/kubernetes_validate/kubernetes-json-schema/v$kube-local-strict" "$schemas" <<'PY'
import json, pathlib, sys
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
target.mkdir(parents=True)
for path in source.glob('*.json'):
    text = path.read_text().replace('"/api/_definitions.json#', '"_definitions.json#')
    schema = json.loads(text)
    schema.pop('$id', None)
    (target / path.name).write_text(json.dumps(schema))
PY
  fi
  for values in default temporal-cloud; do
    args=()
    [ "$values" = default ] || args=(--values "deploy/helm/ci-values-$values.yaml")
    "$bin/helm" template order-engine "$chart" --kube-version "$kube" "${args[@]}" >"$out/$values-$kube.yaml"
    echo "helm template ($values values, Kubernetes $kube): $(grep -c '^kind:' "$out/$values-$kube.yaml") manifests"
  done
  "$bin/kubeconform" -strict -summary -kubernetes-version "$kube" \
    -schema-location "$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$out"/*-"$kube".yaml
done
