-- Deletes KEYS[1] for an operator, unless it is in progress (byte 2 of a record is its state, see RecordCodec;
-- whether or not its lease lapsed) and ARGV[1] is not '1': its request may still be running.
-- Replies: 1 deleted, 2 kept because it is in progress, 0 no such key.
local state = redis.call('GETRANGE', KEYS[1], 1, 1)
if state == '' then
  return 0
end
if state == 'P' and ARGV[1] ~= '1' then
  return 2
end
redis.call('DEL', KEYS[1])
return 1
