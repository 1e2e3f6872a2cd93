-- POST a new ConfigMap per request; names are unique per run and thread.
-- args: token, collection path, run prefix
dofile(string.gsub(debug.getinfo(1, "S").source, "^@(.*/)[^/]*$", "%1") .. "common.lua")

local threads = 0
function setup(thread)
   thread:set("thread_id", threads)
   threads = threads + 1
end

local collection, prefix
local n = 0
local body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","labels":'
   .. '{"app.kubernetes.io/name":"bench","tier":"load"}},"data":{"color":"blue",'
   .. '"settings.yaml":"replicas: 3\\nlogLevel: info\\nfeatures:\\n  - a\\n  - b\\n"}}'

function init(args)
   kube_init(args)
   wrk.headers["Content-Type"] = "application/json"
   collection, prefix = args[2], args[3]
end

function request()
   n = n + 1
   return wrk.format("POST", collection, nil, string.format(body, prefix .. thread_id .. "-" .. n))
end
