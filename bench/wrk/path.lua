-- GET one fixed path (LIST, or any other read). args: token
dofile(string.gsub(debug.getinfo(1, "S").source, "^@(.*/)[^/]*$", "%1") .. "common.lua")

function init(args)
   kube_init(args)
end
