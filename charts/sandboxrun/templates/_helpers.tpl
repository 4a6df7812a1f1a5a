{{/* The release's full name, at most 63 characters. */}}
{{- define "sandboxrun.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object the chart makes. */}}
{{- define "sandboxrun.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The operator pod's selector. */}}
{{- define "sandboxrun.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "sandboxrun.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sandboxrun.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository:tag, or repository@digest when a digest is given. Argument: (list image $). */}}
{{- define "sandboxrun.image" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The namespaces where sandbox pods run and need the deny-all NetworkPolicy, one per line. */}}
{{- define "sandboxrun.sandboxNamespaces" -}}
{{- $ns := .Values.sandboxPods.networkPolicy.namespaces -}}
{{- if not $ns -}}{{- $ns = .Values.watchNamespaces -}}{{- end -}}
{{- if not $ns -}}{{- $ns = list .Release.Namespace -}}{{- end -}}
{{- range $ns }}
{{ . }}
{{- end -}}
{{- end -}}

{{/*
The label sandbox pods carry (operator: pod/SandboxPods.java, LABEL_MANAGED_BY = MANAGED_BY).
*/}}
{{- define "sandboxrun.sandboxPodSelector" -}}
matchLabels:
  app.kubernetes.io/managed-by: sandboxrun-operator
matchExpressions:
  - key: sandboxrun.dev/run
    operator: Exists
{{- end -}}

{{/*
access.tolerations as the operator reads them (sandboxrun.access.tolerations, access/AllowedToleration):
key=value[:Effect] for operator Equal (the default), key[:Effect] for Exists; comma-separated.
*/}}
{{- define "sandboxrun.allowedTolerations" -}}
{{- $out := list -}}
{{- range . -}}
{{- $t := . -}}
{{- $op := default "Equal" $t.operator -}}
{{- $s := $t.key -}}
{{- if eq $op "Exists" -}}
{{- if $t.value -}}{{- fail (printf "access.tolerations: key %s has operator Exists and a value; Exists takes none" $t.key) -}}{{- end -}}
{{- else -}}
{{- $s = printf "%s=%s" $s (default "" $t.value) -}}
{{- end -}}
{{- with $t.effect -}}{{- $s = printf "%s:%s" $s . -}}{{- end -}}
{{- $out = append $out $s -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}
