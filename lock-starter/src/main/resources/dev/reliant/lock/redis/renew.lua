-- KEYS[1] the lock; ARGV[1] holder, ARGV[2] token, ARGV[3] lease in ms.
-- Returns {renewed 1|0, expiry ms} on the server's clock.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local held = redis.call('HMGET', KEYS[1], 'holder', 'token')
if held[1] ~= ARGV[1] or held[2] ~= ARGV[2] then
  return {0, now}
end
local lease = tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[1], lease)
return {1, now + lease}
