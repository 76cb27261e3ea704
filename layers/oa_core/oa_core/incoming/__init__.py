"""收文: documents the unit receives, from 签收 to 办结 (《党政机关公文处理工作条例》 第二十五条).

A 收文 comes from another unit's system (``exchange``: ``POST /exchange/inbound``), is registered by
the 文书 (``registered``) or is a 发文 of our own taken up by a department (``internal``); whatever
its source it is one IncomingItem and goes through IncomingFlow (statemachines/incoming.asl.json):
签收 → 登记 (收文编号) → …, each human step a task of ``workflow`` decided through
``/api/tasks/{id}/decision``. The package stands beside ``outgoing`` (发文): neither imports the other.
"""
