-- wrk script of bench/alerts.py, a Python format template (hosts, prefix, token): one alert per request.
local counter = 0
local hosts = {%(hosts)s}
request = function()
  counter = counter + 1
  local body = string.format('{"source":"wazuh-soc-qn","source_ref":"%(prefix)s-%%d-%%d","title":"sshd: brute force trying to get access to the system.","description":"Rule 5712 fired on agent 12; full log line of about a hundred characters as Wazuh would forward it.","severity":"%%s","host":"%%s","observed_at":"2026-11-20T08:30:00+07:00","indicators":[{"kind":"ip","value":"192.0.2.%%d"}]}', math.random(1, 1000000000), counter, ({"low", "medium", "high"})[counter %% 3 + 1], hosts[counter %% #hosts + 1], counter %% 250 + 1)
  return wrk.format("POST", "/api/v1/alerts", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%f\n", summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.duration / 1e6))
end
