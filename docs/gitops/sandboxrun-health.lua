-- Argo CD health check for sandboxrun.dev/SandboxRun (argocd-cm:
-- resource.customizations.health.sandboxrun.dev_SandboxRun). A run is Healthy once its Complete
-- condition is True (verdict Completed), Degraded once Failed is True (any other verdict:
-- SyscallViolation, MemoryLimitExceeded, ...), Progressing before. Tested by charts/ (GitOpsHealthTest).
hs = {}
hs.status = "Progressing"
hs.message = "waiting for the operator"
if obj.status == nil then
  return hs
end
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.status == "True" and (c.type == "Complete" or c.type == "Failed") then
      if c.type == "Complete" then
        hs.status = "Healthy"
      else
        hs.status = "Degraded"
      end
      hs.message = (c.reason or c.type)
      if c.message ~= nil and c.message ~= "" then
        hs.message = hs.message .. ": " .. c.message
      end
      return hs
    end
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Waiting" and c.status == "True" then
      hs.message = (c.reason or "Waiting") .. ": " .. (c.message or "")
      return hs
    end
  end
end
if obj.status.phase ~= nil then
  hs.message = "phase " .. obj.status.phase
end
return hs
