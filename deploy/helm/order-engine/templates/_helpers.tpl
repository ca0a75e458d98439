{{/* The chart's name, trimmed to Kubernetes' 63 characters. */}}
{{- define "order-engine.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: release-chart, or the release alone when it already contains the chart's name. */}}
{{- define "order-engine.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "order-engine.labels" -}}
app.kubernetes.io/name: {{ include "order-engine.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component (api, worker, migrate). */}}
{{- define "order-engine.selectorLabels" -}}
app.kubernetes.io/name: {{ include "order-engine.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "order-engine.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "order-engine.secretName" -}}
{{- default (printf "%s-secrets" (include "order-engine.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "order-engine.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "order-engine.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Environment every process of the engine gets: the ConfigMap and the Secret. */}}
{{- define "order-engine.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "order-engine.fullname" . }}
  - secretRef:
      name: {{ include "order-engine.secretName" . }}
{{- end -}}

{{/* The Temporal API key, from its own Secret, as an `env` entry (nothing without one). */}}
{{- define "order-engine.apiKeyEnv" -}}
{{- if .Values.temporal.apiKeySecret.name }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.temporal.apiKeySecret.name }}
      key: {{ .Values.temporal.apiKeySecret.key }}
{{- end }}
{{- end -}}

{{/* Volumes every pod mounts: scratch space (the root filesystem is read-only) and the Temporal TLS files. */}}
{{- define "order-engine.volumes" -}}
- name: tmp
  emptyDir: {}
- name: data
  emptyDir: {}
{{- if .Values.temporal.tls.caSecret }}
- name: temporal-ca
  secret:
    secretName: {{ .Values.temporal.tls.caSecret }}
{{- end }}
{{- if .Values.temporal.tls.clientCertSecret }}
- name: temporal-client-cert
  secret:
    secretName: {{ .Values.temporal.tls.clientCertSecret }}
{{- end }}
{{- end -}}

{{- define "order-engine.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /app/.data
{{- if .Values.temporal.tls.caSecret }}
- name: temporal-ca
  mountPath: /etc/temporal-tls/ca
  readOnly: true
{{- end }}
{{- if .Values.temporal.tls.clientCertSecret }}
- name: temporal-client-cert
  mountPath: /etc/temporal-tls/client
  readOnly: true
{{- end }}
{{- end -}}

{{- define "order-engine.podSpecCommon" -}}
serviceAccountName: {{ include "order-engine.serviceAccountName" . }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}
