"""``glassbox.checkpoint_policies``: JAX's names for what ``checkpoint(policy=)`` may save.

Each policy is ``policy(prim, *avals, **params) -> bool`` (save this output?), as in
JAX. glassbox's ``checkpoint`` records the policy and recomputes everything, which
gives the same values (only memory and speed differ).
"""
import types


def everything_saveable(*_, **__):
    return True


def nothing_saveable(*_, **__):
    return False


def dots_saveable(prim, *_, **__):
    return prim.name in ("dot_general", "conv_general_dilated")


def dots_with_no_batch_dims_saveable(prim, *_, **params):
    if prim.name != "dot_general":
        return False
    (_, _), (lhs_batch, rhs_batch) = params["dimension_numbers"]
    return not lhs_batch and not rhs_batch


def _by_name(keep):
    def policy(prim, *_, **params):
        return prim.name == "name" and keep(params.get("name"))
    return policy


def save_only_these_names(*names):
    return _by_name(lambda n: n in names)


def save_any_names_but_these(*names):
    return _by_name(lambda n: n not in names)


def save_anything_except_these_names(*names):
    return lambda prim, *_, **params: not (prim.name == "name" and params.get("name") in names)


def save_from_both_policies(policy_1, policy_2):
    return lambda *args, **params: policy_1(*args, **params) or policy_2(*args, **params)


def save_and_offload_only_these_names(*, names_which_can_be_saved, names_which_can_be_offloaded,
                                      offload_src="device", offload_dst="pinned_host"):
    return save_only_these_names(*names_which_can_be_saved, *names_which_can_be_offloaded)


def offload_dot_with_no_batch_dims(offload_src, offload_dst):
    return dots_with_no_batch_dims_saveable


checkpoint_policies = types.SimpleNamespace(
    everything_saveable=everything_saveable, nothing_saveable=nothing_saveable,
    dots_saveable=dots_saveable, checkpoint_dots=dots_saveable,
    dots_with_no_batch_dims_saveable=dots_with_no_batch_dims_saveable,
    checkpoint_dots_with_no_batch_dims=dots_with_no_batch_dims_saveable,
    save_only_these_names=save_only_these_names,
    save_any_names_but_these=save_any_names_but_these,
    save_anything_except_these_names=save_anything_except_these_names,
    save_from_both_policies=save_from_both_policies,
    save_and_offload_only_these_names=save_and_offload_only_these_names,
    offload_dot_with_no_batch_dims=offload_dot_with_no_batch_dims)
