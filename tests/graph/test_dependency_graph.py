"""The dependency graph on small drawn fixtures: exact orders, dangling references, cycles."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from migrator.graph import RELATIONS, GraphBuilder, NodeRef, build_graph

A1 = "nb:cid:UUID:a1"
A2 = "nb:cid:UUID:a2"
F1 = "nb:cid:UUID:f1"
L1 = "nb:lid:UUID:l1"
L2 = "nb:lid:UUID:l2"
P1 = "nb:pid:UUID:p1"
K1 = "nb:kid:UUID:k1"
CKAP = "nb:ckpid:UUID:c1"
OPT = "nb:ckpoid:UUID:o1"
ADP = "nb:adpid:UUID:d1"


def publishing_graph():
    """Two published assets sharing one access policy::

        Files f1 ──> Assets a1 <── Locators l1 ──> AccessPolicies p1
                      │   │                          ^
                      │   └──> AssetDeliveryPolicies d1
                      v                              │
                ContentKeys k1 ──> CKAP c1 ──> Options o1
                                                     │
                     Assets a2 <── Locators l2 ──────┘ (l2 -> p1)
    """
    b = GraphBuilder()
    b.add_entity(SimpleNamespace(entity_set="Files", key=F1, parent_asset_id=A1))
    b.add_entity(SimpleNamespace(entity_set="Assets", key=A1, storage_account_name=None))
    b.add_entity(SimpleNamespace(entity_set="Assets", key=A2, storage_account_name=None))
    b.add_entity(SimpleNamespace(entity_set="Locators", key=L1, asset_id=A1, access_policy_id=P1))
    b.add_entity(SimpleNamespace(entity_set="Locators", key=L2, asset_id=A2, access_policy_id=P1))
    b.add_entity(SimpleNamespace(entity_set="AccessPolicies", key=P1))
    b.add_entity(SimpleNamespace(entity_set="ContentKeys", key=K1, authorization_policy_id=CKAP))
    b.add_entity(SimpleNamespace(entity_set="ContentKeyAuthorizationPolicies", key=CKAP))
    b.add_entity(SimpleNamespace(entity_set="ContentKeyAuthorizationPolicyOptions", key=OPT))
    b.add_entity(SimpleNamespace(entity_set="AssetDeliveryPolicies", key=ADP))
    nav = {(r.from_set, r.name): r for r in RELATIONS}
    b.add_link(nav["Assets", "ContentKeys"], A1, K1)
    b.add_link(nav["Assets", "DeliveryPolicies"], A1, ADP)
    b.add_link(nav["ContentKeyAuthorizationPolicies", "Options"], CKAP, OPT)
    return b.build()


def test_direct_needs_and_dependents_are_sorted_by_set_then_key():
    g = publishing_graph()
    assert g.needs("Assets", A1) == [
        NodeRef("AssetDeliveryPolicies", ADP),
        NodeRef("ContentKeys", K1),
    ]
    assert g.needed_by("Assets", A1) == [NodeRef("Files", F1), NodeRef("Locators", L1)]
    assert g.needed_by_keys("AccessPolicies", P1, "Locators") == [L1, L2]
    assert g.need_keys("Locators", L1, "Assets") == [A1]


def test_every_relation_becomes_one_edge():
    g = publishing_graph()
    assert g.edge_count == 9
    assert len(g) == 10


def test_the_same_reference_twice_makes_one_edge():
    sub = SimpleNamespace(notification_end_point_id="nb:nepid:UUID:n1")
    b = GraphBuilder()
    b.add_entity(SimpleNamespace(entity_set="Jobs", key="j", template_id=None, job_notification_subscriptions=(sub, sub)))
    b.add_node("NotificationEndPoints", "nb:nepid:UUID:n1")
    assert b.build().edge_count == 1


def test_requirements_come_in_creation_order():
    g = publishing_graph()
    assert g.requirements("Locators", L1) == [
        NodeRef("AccessPolicies", P1),
        NodeRef("AssetDeliveryPolicies", ADP),
        NodeRef("ContentKeyAuthorizationPolicyOptions", OPT),
        NodeRef("ContentKeyAuthorizationPolicies", CKAP),
        NodeRef("ContentKeys", K1),
        NodeRef("Assets", A1),
    ]


def test_dependents_are_everything_that_needs_the_entity_transitively():
    g = publishing_graph()
    assert g.dependents("ContentKeyAuthorizationPolicies", CKAP) == [
        NodeRef("ContentKeys", K1),
        NodeRef("Assets", A1),
        NodeRef("Files", F1),
        NodeRef("Locators", L1),
    ]


def test_dependency_order_puts_every_need_before_its_dependent():
    g = publishing_graph()
    order = g.dependency_order()
    assert order == [
        NodeRef("AccessPolicies", P1),
        NodeRef("AssetDeliveryPolicies", ADP),
        NodeRef("Assets", A2),
        NodeRef("ContentKeyAuthorizationPolicyOptions", OPT),
        NodeRef("ContentKeyAuthorizationPolicies", CKAP),
        NodeRef("ContentKeys", K1),
        NodeRef("Assets", A1),
        NodeRef("Files", F1),
        NodeRef("Locators", L1),
        NodeRef("Locators", L2),
    ]


def test_connected_groups_join_assets_through_a_shared_access_policy():
    """A standalone entity is its own group::

        a1 ... l1 ──> p1 <── l2 ──> a2        s (StorageAccounts, alone)
    """
    b = GraphBuilder()
    b.add_entity(SimpleNamespace(entity_set="Locators", key=L1, asset_id=A1, access_policy_id=P1))
    b.add_entity(SimpleNamespace(entity_set="Locators", key=L2, asset_id=A2, access_policy_id=P1))
    for key in (A1, A2):
        b.add_entity(SimpleNamespace(entity_set="Assets", key=key, storage_account_name=None))
    b.add_node("AccessPolicies", P1)
    b.add_node("StorageAccounts", "s")
    groups = b.build().connected_groups()
    assert groups == [
        (
            NodeRef("AccessPolicies", P1),
            NodeRef("Assets", A1),
            NodeRef("Assets", A2),
            NodeRef("Locators", L1),
            NodeRef("Locators", L2),
        ),
        (NodeRef("StorageAccounts", "s"),),
    ]


def test_a_reference_to_an_id_missing_from_the_inventory_is_recorded_not_raised():
    b = GraphBuilder()
    b.add_entity(SimpleNamespace(entity_set="Locators", key=L1, asset_id=A1, access_policy_id="nb:pid:UUID:gone"))
    b.add_entity(SimpleNamespace(entity_set="Assets", key=A1, storage_account_name=None))
    g = b.build()
    assert [(d.source, d.relation, d.target_set, d.target_key) for d in g.dangling] == [
        (NodeRef("Locators", L1), "Locators.AccessPolicyId", "AccessPolicies", "nb:pid:UUID:gone")
    ]
    assert g.needs("Locators", L1) == [NodeRef("Assets", A1)]
    assert NodeRef("AccessPolicies", "nb:pid:UUID:gone") not in g


def test_a_parent_asset_cycle_is_recorded_and_broken_so_orders_still_exist():
    """a1 ──ParentAssets──> a2 ──ParentAssets──> a3 ──ParentAssets──> a1, plus l1 ──> a1."""
    b = GraphBuilder()
    parents = next(r for r in RELATIONS if r.name == "ParentAssets")
    keys = ["nb:cid:UUID:a1", "nb:cid:UUID:a2", "nb:cid:UUID:a3"]
    for key in keys:
        b.add_node("Assets", key)
    for child, parent in zip(keys, keys[1:] + keys[:1]):
        b.add_link(parents, child, parent)
    b.add_reference("Locators", L1, "Locators.asset_id", "Assets", keys[0])
    g = b.build()
    assert len(g.cycles) == 1
    assert g.cycles[0].members == tuple(NodeRef("Assets", k) for k in keys)
    assert g.cycles[0].dropped == ((NodeRef("Assets", keys[2]), NodeRef("Assets", keys[0])),)
    assert g.dependency_order() == [
        NodeRef("Assets", keys[2]),
        NodeRef("Assets", keys[1]),
        NodeRef("Assets", keys[0]),
        NodeRef("Locators", L1),
    ]


def test_a_self_referencing_entity_is_a_cycle_of_one():
    b = GraphBuilder()
    b.add_reference("Assets", A1, "Assets/ParentAssets", "Assets", A1)
    g = b.build()
    assert [c.members for c in g.cycles] == [(NodeRef("Assets", A1),)]
    assert g.dependency_order() == [NodeRef("Assets", A1)]


def test_notification_subscriptions_and_slates_become_edges():
    b = GraphBuilder()
    sub = SimpleNamespace(notification_end_point_id="nb:nepid:UUID:n1")
    b.add_entity(SimpleNamespace(entity_set="Jobs", key="nb:jid:UUID:j1", template_id=None, job_notification_subscriptions=(sub,)))
    b.add_entity(SimpleNamespace(entity_set="NotificationEndPoints", key="nb:nepid:UUID:n1"))
    b.add_entity(SimpleNamespace(entity_set="Channels", key="nb:chid:UUID:c", slate=SimpleNamespace(default_slate_asset_id=A1)))
    b.add_node("Assets", A1)
    g = b.build()
    assert g.needs("Jobs", "nb:jid:UUID:j1") == [NodeRef("NotificationEndPoints", "nb:nepid:UUID:n1")]
    assert g.needs("Channels", "nb:chid:UUID:c") == [NodeRef("Assets", A1)]


def test_the_brief_s_directions_hold_for_reversed_navigations():
    b = GraphBuilder()
    nav = {(r.from_set, r.name): r for r in RELATIONS}
    b.add_link(nav["Jobs", "Tasks"], "j", "t")
    b.add_link(nav["JobTemplates", "TaskTemplates"], "jt", "tt")
    b.add_entity(SimpleNamespace(entity_set="Programs", key="p", channel_id="c", asset_id=None))
    for entity_set, key in (("Jobs", "j"), ("JobTemplates", "jt"), ("Channels", "c")):
        b.add_node(entity_set, key)
    g = b.build()
    assert g.needs("Tasks", "t") == [NodeRef("Jobs", "j")]
    assert g.needs("TaskTemplates", "tt") == [NodeRef("JobTemplates", "jt")]
    assert g.needs("Programs", "p") == [NodeRef("Channels", "c")]


def test_build_graph_reads_entities_and_only_the_stored_navigations():
    class FakeInventory:
        def entities(self, entity_set):
            if entity_set == "Assets":
                yield SimpleNamespace(entity_set="Assets", key=A1, storage_account_name=None)
            if entity_set == "ContentKeys":
                yield SimpleNamespace(entity_set="ContentKeys", key=K1, authorization_policy_id=None)

        def links(self, entity_set, nav):
            assert (entity_set, nav) == ("Assets", "ContentKeys")
            yield (A1, K1)

    g = build_graph(FakeInventory(), ["Assets", "ContentKeys"], navigations=[("Assets", "ContentKeys")])
    assert g.needs("Assets", A1) == [NodeRef("ContentKeys", K1)]


def test_the_bulk_row_builder_gives_the_same_graph_as_entity_by_entity():
    from migrator.graph import build_graph_from_rows

    nav = {(r.from_set, r.name): r for r in RELATIONS}
    locator_asset = next(r for r in RELATIONS if r.from_set == "Locators" and r.name == "AssetId")
    rows = build_graph_from_rows(
        nodes=[("Assets", [A1, A2, A1]), ("Locators", [L1]), ("Jobs", ["j"])],
        references=[(locator_asset, [(L1, A1), (L2, "nb:cid:UUID:gone")])],
        links=[(nav["Jobs", "Tasks"], [("j", "t")]), (nav["Assets", "ParentAssets"], [(A2, A1)])],
    )
    b = GraphBuilder()
    for entity_set, key in (("Assets", A1), ("Assets", A2), ("Locators", L1), ("Jobs", "j")):
        b.add_node(entity_set, key)
    b.add_reference("Locators", L1, "Locators.AssetId", "Assets", A1)
    b.add_reference("Locators", L2, "Locators.AssetId", "Assets", "nb:cid:UUID:gone")
    b.add_link(nav["Jobs", "Tasks"], "j", "t")
    b.add_link(nav["Assets", "ParentAssets"], A2, A1)
    one_by_one = b.build()
    assert rows.dependency_order() == one_by_one.dependency_order()
    assert rows.dangling == one_by_one.dangling and len(rows.dangling) == 1
    assert rows.edge_count == one_by_one.edge_count == 3  # l1 -> a1, t -> j, a2 -> a1


def test_unknown_nodes_have_no_neighbours_and_transitive_queries_name_them():
    g = GraphBuilder().build()
    assert g.needs("Assets", A1) == []
    with pytest.raises(KeyError, match="not in the graph"):
        g.requirements("Assets", A1)


def test_every_foreign_key_and_stored_navigation_of_the_schema_is_a_relation():
    from migrator.v2 import schema

    names = {(r.from_set, r.name, r.to_set) for r in RELATIONS}
    assert names == {tuple(fk) for fk in schema.FOREIGN_KEYS} | {tuple(n) for n in schema.NAVIGATION_TO_READ}


def test_typed_entities_yield_their_references():
    from migrator.v2 import entities as e

    b = GraphBuilder()
    b.add_entity(e.Locator(id=L1, asset_id=A1, access_policy_id=P1))
    b.add_entity(e.Channel(id="nb:chid:UUID:c", slate=e.ChannelSlate(default_slate_asset_id=A1)))
    b.add_entity(
        e.Job(
            id="nb:jid:UUID:j",
            job_notification_subscriptions=(e.JobNotificationSubscription(notification_end_point_id="nb:nepid:UUID:n"),),
        )
    )
    b.add_entity(e.Asset(id=A1))
    b.add_entity(e.AccessPolicy(id=P1))
    b.add_entity(e.NotificationEndPoint(id="nb:nepid:UUID:n"))
    g = b.build()
    assert g.needs("Locators", L1) == [NodeRef("AccessPolicies", P1), NodeRef("Assets", A1)]
    assert g.need_keys("Channels", "nb:chid:UUID:c", "Assets") == [A1]
    assert g.need_keys("Jobs", "nb:jid:UUID:j", "NotificationEndPoints") == ["nb:nepid:UUID:n"]
    assert g.dangling == ()


def test_a_cleared_graph_holds_nothing():
    g = publishing_graph()
    g.clear()
    assert len(g) == 0 and g.edge_count == 0
    assert g.needs("Assets", A1) == [] and g.keys("Assets") == []


def test_a_reference_gives_the_same_edge_whether_its_target_came_before_or_after_it():
    early = GraphBuilder()
    early.add_nodes("Assets", [A1])
    early.add_references("Locators", "Locators.AssetId", "Assets", [(L1, A1), (L1, A1), (L2, A2)])
    late = GraphBuilder()
    late.add_references("Locators", "Locators.AssetId", "Assets", [(L1, A1), (L2, A2)])
    late.add_nodes("Assets", [A1])
    for g in (early.build(), late.build()):
        assert g.edge_count == 1  # the repeated reference is one edge, as in a DiGraph
        assert g.need_keys("Locators", L1, "Assets") == [A1]
        assert g.needed_by_keys("Assets", A1, "Locators") == [L1]
        assert [(d.source, d.target_key) for d in g.dangling] == [(NodeRef("Locators", L2), A2)]


def test_the_edge_dropped_to_break_a_cycle_is_gone_in_both_directions():
    b = GraphBuilder()
    parents = next(r for r in RELATIONS if r.name == "ParentAssets")
    b.add_link(parents, A1, A2)
    b.add_link(parents, A2, A1)
    g = b.build()
    assert g.cycles[0].dropped == ((NodeRef("Assets", A2), NodeRef("Assets", A1)),)
    assert g.need_keys("Assets", A2, "Assets") == [] and g.needed_by_keys("Assets", A1, "Assets") == []
    assert g.need_keys("Assets", A1, "Assets") == [A2] and g.needed_by_keys("Assets", A2, "Assets") == [A1]
    assert g.edge_count == 1


def test_count_among_counts_the_set_s_keys_found_in_a_ledger():
    g = publishing_graph()
    assert g.count_among("Assets", {A1, L1, "nb:cid:UUID:other"}) == 1
    assert g.count_among("Programs", {A1}) == 0


def test_a_cycle_read_in_bulk_is_found_as_one_read_reference_by_reference():
    parents = next(r for r in RELATIONS if r.name == "ParentAssets")
    keys = ["nb:cid:UUID:a1", "nb:cid:UUID:a2", "nb:cid:UUID:a3"]
    links = list(zip(keys, keys[1:] + keys[:1]))
    one_by_one = GraphBuilder()
    for key in keys:
        one_by_one.add_node("Assets", key)
    for child, parent in links:
        one_by_one.add_link(parents, child, parent)
    bulk = GraphBuilder()
    bulk.add_nodes("Assets", keys)
    bulk.add_links(parents, links)
    expected, built = one_by_one.build(), bulk.build()
    assert built.cycles == expected.cycles and len(built.cycles) == 1
    assert built.dependency_order() == expected.dependency_order()
