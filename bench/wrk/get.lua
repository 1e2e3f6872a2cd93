-- GET by name: a random one of <count> ConfigMaps <prefix>0..<prefix><count-1>.
-- args: token, collection path, name prefix, count
dofile(string.gsub(debug.getinfo(1, "S").source, "^@(.*/)[^/]*$", "%1") .. "common.lua")

local collection, prefix, count

function init(args)
   kube_init(args)
   collection, prefix, count = args[2], args[3], tonumber(args[4])
end

function request()
   return wrk.format("GET", collection .. "/" .. prefix .. math.random(0, count - 1))
end
