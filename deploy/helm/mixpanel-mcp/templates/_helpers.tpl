{{- define "mixpanel-mcp.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mixpanel-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The server's pods: the component keeps the Service and the PDB off
the Redis pods of the same release. */}}
{{- define "mixpanel-mcp.serverSelector" -}}
{{ include "mixpanel-mcp.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "mixpanel-mcp.labels" -}}
{{ include "mixpanel-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mixpanel-mcp.authSecret" -}}
{{- default (printf "%s-auth" (include "mixpanel-mcp.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "mixpanel-mcp.redisURL" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s-redis:6379/0" (include "mixpanel-mcp.fullname" .) -}}
{{- else -}}
{{- .Values.redis.url -}}
{{- end -}}
{{- end -}}
