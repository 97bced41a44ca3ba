-- KEYS[1] the lock (a hash), KEYS[2] the name's token counter; both carry the name as hash tag, so one slot.
-- ARGV[1] holder, ARGV[2] lease in ms, ARGV[3] floor the token must pass.
-- Returns {acquired 1|0, token, now ms, expiry ms} on the server's clock.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, 0, now, 0}
end
local token = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if token <= floor then
  token = floor + 1
  redis.call('SET', KEYS[2], token)
end
local lease = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token, 'acquired', now)
redis.call('PEXPIRE', KEYS[1], lease)
return {1, token, now, now + lease}
