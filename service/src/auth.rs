//! Who is asking, and what they may do. Every service function that reads or changes tenant data
//! takes an [`Actor`] and checks it here, so the rules live in one place.

use types::{CustomerOrganizationId, OrganizationId, Role, UserId};

use crate::{Error, Result};

/// A signed-in person acting in one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The person.
    pub user_id: UserId,
    /// The vendor organization they act in.
    pub organization_id: OrganizationId,
    /// Their role there.
    pub role: Role,
    /// `Some` for a customer member: the customer organization they belong to.
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

impl Actor {
    /// Whether this is a member of the vendor itself (not of one of its customers).
    pub fn is_vendor(&self) -> bool {
        self.customer_organization_id.is_none()
    }

    /// Vendor members with any role.
    pub fn require_vendor_read(&self, action: &'static str) -> Result<()> {
        if self.is_vendor() {
            Ok(())
        } else {
            Err(Error::Forbidden { action })
        }
    }

    /// Vendor admins and read-write members.
    pub fn require_vendor_write(&self, action: &'static str) -> Result<()> {
        if self.is_vendor() && self.role.can_write() {
            Ok(())
        } else {
            Err(Error::Forbidden { action })
        }
    }

    /// Vendor admins.
    pub fn require_vendor_admin(&self, action: &'static str) -> Result<()> {
        if self.is_vendor() && self.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::Forbidden { action })
        }
    }

    /// Vendor members may read any customer of their vendor; customer members only their own.
    pub fn require_customer_read(
        &self,
        customer: CustomerOrganizationId,
        action: &'static str,
    ) -> Result<()> {
        match self.customer_organization_id {
            None => Ok(()),
            Some(own) if own == customer => Ok(()),
            Some(_) => Err(Error::Forbidden { action }),
        }
    }

    /// Vendor writers for any customer; customer admins for their own customer organization.
    pub fn require_customer_admin(
        &self,
        customer: CustomerOrganizationId,
        action: &'static str,
    ) -> Result<()> {
        match self.customer_organization_id {
            None if self.role.can_write() => Ok(()),
            Some(own) if own == customer && self.role == Role::Admin => Ok(()),
            _ => Err(Error::Forbidden { action }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, customer: Option<CustomerOrganizationId>) -> Actor {
        Actor {
            user_id: UserId::new(),
            organization_id: OrganizationId::new(),
            role,
            customer_organization_id: customer,
        }
    }

    #[test]
    fn vendor_roles_nest_admin_over_write_over_read() {
        let admin = actor(Role::Admin, None);
        let writer = actor(Role::ReadWrite, None);
        let reader = actor(Role::ReadOnly, None);
        assert!(admin.require_vendor_admin("x").is_ok());
        assert!(writer.require_vendor_admin("x").is_err());
        assert!(writer.require_vendor_write("x").is_ok());
        assert!(reader.require_vendor_write("x").is_err());
        assert!(reader.require_vendor_read("x").is_ok());
    }

    #[test]
    fn customers_never_pass_vendor_checks_and_see_only_their_own_customer() {
        let own = CustomerOrganizationId::new();
        let customer_admin = actor(Role::Admin, Some(own));
        assert!(customer_admin.require_vendor_read("x").is_err());
        assert!(customer_admin.require_customer_read(own, "x").is_ok());
        assert!(customer_admin.require_customer_admin(own, "x").is_ok());
        let other = CustomerOrganizationId::new();
        assert!(customer_admin.require_customer_read(other, "x").is_err());
        assert!(
            actor(Role::ReadWrite, Some(own))
                .require_customer_admin(own, "x")
                .is_err()
        );
        assert!(
            actor(Role::ReadOnly, None)
                .require_customer_admin(own, "x")
                .is_err()
        );
    }
}
