// SPDX-License-Identifier: MIT
// TEST-ONLY stand-in for Superfluid's CFAv1Forwarder: same function signatures, flows are
// bookkeeping only (no balance moves, no buffer). After each change it calls the vault back,
// and the VAULT enforces the minimum rate and emits StreamUpdated (as the real vault does).
pragma solidity 0.8.28;

interface IFlowVault {
    function onFlowChanged(
        address sender,
        int96 previousRate,
        uint256 previousTimestamp,
        int96 newRate,
        bytes calldata userData,
        bool deleted
    ) external;
}

contract TestFlowForwarder {
    error CFA_FWD_INVALID_FLOW_RATE();
    error CFA_FLOW_ALREADY_EXISTS();
    error CFA_FLOW_DOES_NOT_EXIST();
    error CFA_ACL_OPERATOR_NO_CREATE_PERMISSIONS();

    struct Flow {
        int96 rate;
        uint256 since;
    }

    mapping(bytes32 => Flow) private flows;

    function getFlowrate(address token, address sender, address receiver) external view returns (int96) {
        return flows[_key(token, sender, receiver)].rate;
    }

    function createFlow(address token, address sender, address receiver, int96 flowrate, bytes memory userData)
        external
        returns (bool)
    {
        if (msg.sender != sender) revert CFA_ACL_OPERATOR_NO_CREATE_PERMISSIONS();
        if (flowrate <= 0) revert CFA_FWD_INVALID_FLOW_RATE();
        bytes32 key = _key(token, sender, receiver);
        if (flows[key].rate != 0) revert CFA_FLOW_ALREADY_EXISTS();
        _change(key, sender, receiver, flowrate, userData, false);
        return true;
    }

    function updateFlow(address token, address sender, address receiver, int96 flowrate, bytes memory userData)
        external
        returns (bool)
    {
        if (msg.sender != sender) revert CFA_ACL_OPERATOR_NO_CREATE_PERMISSIONS();
        if (flowrate <= 0) revert CFA_FWD_INVALID_FLOW_RATE();
        bytes32 key = _key(token, sender, receiver);
        if (flows[key].rate == 0) revert CFA_FLOW_DOES_NOT_EXIST();
        _change(key, sender, receiver, flowrate, userData, false);
        return true;
    }

    function deleteFlow(address token, address sender, address receiver, bytes memory userData)
        external
        returns (bool)
    {
        if (msg.sender != sender) revert CFA_ACL_OPERATOR_NO_CREATE_PERMISSIONS();
        bytes32 key = _key(token, sender, receiver);
        if (flows[key].rate == 0) revert CFA_FLOW_DOES_NOT_EXIST();
        _change(key, sender, receiver, 0, userData, true);
        return true;
    }

    function _change(bytes32 key, address sender, address receiver, int96 rate, bytes memory userData, bool deleted)
        private
    {
        Flow memory previous = flows[key];
        flows[key] = Flow(rate, block.timestamp);
        if (receiver.code.length > 0) {
            IFlowVault(receiver).onFlowChanged(sender, previous.rate, previous.since, rate, userData, deleted);
        }
    }

    function _key(address token, address sender, address receiver) private pure returns (bytes32) {
        return keccak256(abi.encode(token, sender, receiver));
    }
}
